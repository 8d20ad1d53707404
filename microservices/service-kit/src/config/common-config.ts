import type { z } from 'zod'
import type { DatabaseConnectionSettings } from './connection-env.ts'
import type { commonEnv } from './env-types.ts'
import { ConfigError, type DeepReadonly } from './load-config.ts'

type CommonEnv = z.output<z.ZodObject<ReturnType<typeof commonEnv>>>

/**
 * A query timeout at or below the statement timeout would close connections the server was about
 * to answer with a clean cancel (and the connection kept).
 */
function databaseConnection(raw: DeepReadonly<CommonEnv>): DatabaseConnectionSettings {
  const statementTimeoutMs = raw.DATABASE_STATEMENT_TIMEOUT_MS
  const queryTimeoutMs = raw.DATABASE_QUERY_TIMEOUT_MS
  if (queryTimeoutMs > 0 && (statementTimeoutMs === 0 || queryTimeoutMs <= statementTimeoutMs))
    throw new ConfigError(
      `Invalid configuration: DATABASE_QUERY_TIMEOUT_MS (${queryTimeoutMs}) must be above DATABASE_STATEMENT_TIMEOUT_MS (${statementTimeoutMs}, 0 is none)`,
    )
  return {
    keepAliveInitialDelayMs: raw.DATABASE_KEEPALIVE_INITIAL_DELAY_MS,
    statementTimeoutMs,
    queryTimeoutMs,
    idleInTransactionTimeoutMs: raw.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  }
}

/** The camelCase config both services derive from `commonEnv` variables. */
export function commonConfig(raw: DeepReadonly<CommonEnv>) {
  return {
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    databaseUrl: raw.DATABASE_URL,
    databaseConnection: databaseConnection(raw),
    kafkaBrokers: raw.KAFKA_BROKERS,
    kafkaTopicNamespace: raw.KAFKA_TOPIC_NAMESPACE,
    corsOrigins: raw.CORS_ORIGINS,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainDelayMs: raw.SHUTDOWN_DRAIN_DELAY_MS,
    trustProxy: raw.TRUST_PROXY,
    httpTimeouts: {
      requestTimeoutMs: raw.HTTP_REQUEST_TIMEOUT_MS,
      connectionTimeoutMs: raw.HTTP_CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: raw.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    rateLimit: { ipv6PrefixLength: raw.RATE_LIMIT_IPV6_PREFIX },
    metrics: { port: raw.METRICS_PORT },
    statusRefreshMs: raw.STATUS_REFRESH_MS,
    pressure: {
      maxEventLoopDelayMs: raw.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedRatio: raw.PRESSURE_MAX_HEAP_USED_RATIO,
      retryAfterSeconds: raw.PRESSURE_RETRY_AFTER_SECONDS,
    },
    tracing: {
      endpoint: raw.OTEL_EXPORTER_OTLP_ENDPOINT,
      protocol: raw.OTEL_EXPORTER_OTLP_PROTOCOL,
      serviceName: raw.OTEL_SERVICE_NAME,
    },
  }
}
