import type { IncomingMessage, ServerResponse } from 'node:http'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { HTTP_TIMEOUT_DEFAULTS, type HttpTimeouts } from '../config/connection-env.ts'
import { installProblemHandler } from '../errors/problem-handler.ts'
import metricsPlugin from '../metrics/metrics-plugin.ts'
import { declareCommonProblems } from '../openapi/declare-common-problems.ts'
import { createOpenApiTransforms } from '../openapi/openapi-transforms.ts'
import pressurePlugin, { type PressureOptions } from '../pressure/pressure-plugin.ts'
import drainPlugin from '../server/drain-plugin.ts'
import { TRACING_OFF, type Tracing } from '../telemetry/tracing.ts'
import { type LoggerConfig, loggerOptions } from './logger.ts'
import { genRequestId, REQUEST_ID_HEADER } from './request-id.ts'

export type ZodFastify = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>

export interface BaseAppOptions {
  name: string
  version: string
  description: string
  logger: LoggerConfig
  corsOrigins: readonly string[]
  /** Largest accepted request body; larger ones get a 413. */
  bodyLimit?: number
  /**
   * Proxies (addresses, CIDRs, named ranges) whose `X-Forwarded-For` is believed; `request.ip`,
   * and with it the rate limit's key, is then the nearest address that is not one of them.
   */
  trustProxy?: false | readonly string[]
  /**
   * The rate limit's client key (`RATE_LIMIT_IPV6_PREFIX`): an IPv6 client is counted by its
   * network of this prefix length (the library's default: 64), so one host cannot spread requests
   * over the addresses of its /64; IPv4 (also IPv4-mapped IPv6) by the full address.
   */
  rateLimit?: { ipv6PrefixLength: number }
  /**
   * Prometheus metrics (`METRICS_PORT`): `GET /metrics` on the app's port (`0`), or only in
   * `app.metricsRegistry` for the entry point to serve on a port of its own; none if omitted.
   */
  metrics?: { port: number }
  /** Load shedding with `503 SERVICE_OVERLOADED` (`PRESSURE_*`); none if omitted. */
  pressure?: PressureOptions
  /** The process's tracing (see `startTracing`); off if omitted. */
  tracing?: Tracing
  /** How long a client may take (`HTTP_*`); `HTTP_TIMEOUT_DEFAULTS` if omitted. */
  timeouts?: HttpTimeouts
}

/**
 * How often Node looks for requests past their timeout (its default is 30 s, which would let a slow
 * client keep its connection up to 30 s longer than configured).
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000
/** Node's own bound on receiving the headers. */
const NODE_HEADERS_TIMEOUT_MS = 60_000

/**
 * Node's server options for the request timeout. They are given when the server is made, not set
 * afterwards as Fastify does: a headers timeout left above the request timeout keeps Node 20 from
 * ever enforcing the request timeout.
 */
function requestTimeoutOptions(requestTimeoutMs: number) {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout:
      requestTimeoutMs > 0 ? Math.min(requestTimeoutMs, NODE_HEADERS_TIMEOUT_MS) : NODE_HEADERS_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  }
}

/**
 * A Fastify instance with everything both services share: zod schemas for validation,
 * serialization and OpenAPI, CORS, rate limiting (opt-in per route), request ids and one
 * problem+json error handler. It never listens: that is the entry point's job.
 */
export async function createBaseApp(options: BaseAppOptions): Promise<ZodFastify> {
  const timeouts = options.timeouts ?? HTTP_TIMEOUT_DEFAULTS
  const app = Fastify({
    logger: loggerOptions(options.name, options.logger),
    genReqId: genRequestId,
    requestIdHeader: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Shutdown must not wait for idle keep-alive sockets.
    forceCloseConnections: 'idle',
    // The drain before the close (stopServer) is what turns the balancer away; a request that still
    // comes while closing is answered (with `Connection: close`), not refused with a 503.
    return503OnClosing: false,
    trustProxy: options.trustProxy ? [...options.trustProxy] : false,
    // A client that sends its request slowly (or not at all) must not hold a connection for ever:
    // 408 past the request timeout, closed after the connection timeout with no bytes either way.
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: requestTimeoutOptions(timeouts.requestTimeoutMs),
  }).withTypeProvider<ZodTypeProvider>()

  // JSON APIs only: a text body gets a 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain')
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installProblemHandler(app)
  declareCommonProblems(app, { overload: Boolean(options.pressure) })
  // Before any route or hook, so that every request gets its span (and every route its timings).
  const tracing = options.tracing ?? TRACING_OFF
  if (tracing.fastifyPlugin) {
    await app.register(tracing.fastifyPlugin)
    app.addHook('onClose', async () => {
      await tracing.flush()
    })
  }
  if (options.metrics) await app.register(metricsPlugin, options.metrics)
  if (options.pressure) await app.register(pressurePlugin, options.pressure)
  await app.register(drainPlugin)
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })

  await app.register(cors, {
    origin: options.corsOrigins.length ? [...options.corsOrigins] : false,
    // Browsers hide response headers that are neither CORS-safelisted nor exposed: a page needs
    // Retry-After to say when a 429/503 may be retried.
    exposedHeaders: ['location', 'retry-after', REQUEST_ID_HEADER],
  })
  // Keyed by @fastify/rate-limit's own `normalizeIP(request.ip, ipv6Subnet)` (its default: /64).
  await app.register(rateLimit, {
    global: false,
    ...(options.rateLimit && { ipv6Subnet: options.rateLimit.ipv6PrefixLength }),
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.name, description: options.description, version: options.version },
    },
    ...createOpenApiTransforms(),
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  return app
}
