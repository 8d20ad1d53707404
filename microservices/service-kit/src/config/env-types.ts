import { isIP } from 'node:net'
import { z } from 'zod'
import { databaseConnectionEnv, httpTimeoutEnv } from './connection-env.ts'

/** `a,b , c` → ['a', 'b', 'c']; an empty string is an empty list. */
export const commaList = () =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )

/** `host:port,host:port` → a non-empty list of brokers. */
export const brokerList = () =>
  commaList().pipe(z.array(z.string().min(1)).min(1, 'needs at least one host:port'))

export const envInt = (defaultValue: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue)

export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1')

export const postgresUrl = () => z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })

/** The ranges `@fastify/proxy-addr` knows by name (loopback, link-local, unique-local/private). */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])
const BLANKET = new Set(['true', '*', 'all', 'any'])

/** An address, a CIDR narrower than "everyone", or a named range; else why not. */
function proxyEntryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry)) return undefined
  if (BLANKET.has(entry.toLowerCase())) return `"${entry}" would trust every client's X-Forwarded-For`
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (!family || rest.length) {
    return /^\d+$/.test(entry)
      ? 'a hop count is not accepted (it cannot tell the proxy from a client that connects directly); give the proxy addresses or CIDRs'
      : `"${entry}" is not an IP address, CIDR or one of ${[...NAMED_RANGES].join(', ')}`
  }
  if (prefix === undefined) return undefined
  const bits = Number(prefix)
  if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128))
    return `"${entry}" has an invalid prefix length`
  return bits === 0 ? `"${entry}" would trust every client's X-Forwarded-For` : undefined
}

/**
 * Which peers may set `X-Forwarded-For`: off (empty), or the proxies' addresses, CIDRs and named
 * ranges. There is deliberately no `true`: any client could then choose its own address and, with
 * it, its own rate-limit bucket. Hop counts are refused for the same reason (Fastify 5 ignores them).
 */
export const trustProxyList = () =>
  z
    .string()
    .default('')
    .transform((value, context) => {
      if (!value.trim()) return false as const
      const entries = value.split(',').map((entry) => entry.trim())
      for (const entry of entries) {
        const problem = entry ? proxyEntryProblem(entry) : 'an empty entry (a stray ",")'
        if (problem) {
          context.addIssue({
            code: 'custom',
            message: `must be proxy addresses or CIDRs, comma-separated: ${problem}`,
          })
          return z.NEVER
        }
      }
      return entries
    })

/**
 * Variables every service reads, with their defaults. Spread into a service's own schema. Each
 * service has ports of its own, so both run side by side on one machine with their defaults.
 */
export function commonEnv(defaults: { port: number; metricsPort: number }) {
  return {
    HOST: z.string().min(1).default('0.0.0.0').describe('HTTP listen address'),
    PORT: envInt(defaults.port, { min: 0, max: 65_535 }).describe('HTTP listen port'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`'),
    DATABASE_URL: postgresUrl().describe(
      "`postgres://` URL of the service's own database (shared by its instances); its password never appears in errors or logs",
    ),
    ...databaseConnectionEnv(),
    KAFKA_BROKERS: brokerList().describe('Comma-separated `host:port` bootstrap brokers'),
    KAFKA_TOPIC_NAMESPACE: z
      .string()
      .regex(/^[a-zA-Z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"')
      .default('')
      .describe(
        'Prefix of every topic and consumer group name, so environments (and test files) can share a cluster',
      ),
    CORS_ORIGINS: commaList()
      .default([])
      .describe('Comma-separated origins whose pages may call the API (none by default)'),
    SHUTDOWN_TIMEOUT_MS: envInt(10_000, { min: 100 }).describe(
      'Upper bound of a graceful shutdown (SIGTERM/SIGINT) after the drain, also with Kafka or the database unreachable: in-flight requests answered, listener closed, workers stopped. A SIGTERM stop takes at most `SHUTDOWN_DRAIN_DELAY_MS` + this',
    ),
    SHUTDOWN_DRAIN_DELAY_MS: envInt(3000, { max: 600_000 }).describe(
      'On SIGTERM, how long `/health/ready` answers `503` `draining` while every request is still served, before the listener closes: longer than the load balancer takes to mark the instance down (HAProxy here: a check every 1 s, down after 2 failures, about 1.3 s; Kubernetes: `periodSeconds` × `failureThreshold` plus the endpoints update). `0`: close at once. SIGINT (Ctrl-C) never drains',
    ),
    TRUST_PROXY: trustProxyList().describe(
      'Comma-separated proxy addresses/CIDRs (or `loopback`, `uniquelocal`, `linklocal`) whose `X-Forwarded-For` sets the client address and rate-limit bucket; off when empty; no `true` and no hop count',
    ),
    ...httpTimeoutEnv(),
    RATE_LIMIT_IPV6_PREFIX: envInt(64, { min: 1, max: 128 }).describe(
      'Rate limits count an IPv6 client by its network of this prefix length (one host usually has a whole /64); IPv4 and IPv4-mapped IPv6 clients by their address',
    ),
    METRICS_PORT: envInt(defaults.metricsPort, { min: 0, max: 65_535 }).describe(
      'Prometheus metrics (`GET /metrics`) are served on this port only, by a listener of their own, so the HTTP port the public reaches does not serve them; `0`: on the HTTP port instead',
    ),
    STATUS_REFRESH_MS: envInt(5000, { min: 50, max: 600_000 }).describe(
      'How often readiness checks, and the metrics that take a query or a broker round trip (the outbox backlog, consumer lag), are refreshed; `/health/ready` and `/metrics` serve the latest refresh, so polling them costs no query. One refresh at a time, the next one this long after the last one ended',
    ),
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: envInt(1000, { min: 0 }).describe(
      'Mean event-loop delay (sampled every second) above which requests get `503 SERVICE_OVERLOADED` with `Retry-After`; `0`: not checked. `/health/live` and `/metrics` always answer',
    ),
    PRESSURE_MAX_HEAP_USED_RATIO: z.coerce
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe(
        "Share of V8's heap limit in use above which requests get `503 SERVICE_OVERLOADED`; `0`: not checked",
      ),
    PRESSURE_RETRY_AFTER_SECONDS: envInt(10, { min: 1, max: 3600 }).describe(
      '`Retry-After` of a `503 SERVICE_OVERLOADED`',
    ),
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .url({ protocol: /^https?$/, error: 'must be an http(s):// URL' })
      .optional()
      .describe(
        'OpenTelemetry tracing is on only when set: spans go to this OTLP/HTTP collector (`/v1/traces` is appended). The SDK also honours the other standard `OTEL_*` variables (headers, sampler, batch delays)',
      ),
    OTEL_EXPORTER_OTLP_PROTOCOL: z
      .enum(['http/protobuf', 'http/json'])
      .default('http/protobuf')
      .describe('OTLP encoding: `http/protobuf` or `http/json` (gRPC is not included)'),
    OTEL_SERVICE_NAME: z
      .string()
      .default('')
      .describe("`service.name` of the spans; empty: the service's own name"),
  }
}
