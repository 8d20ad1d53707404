import { createServer, type Server } from 'node:http'
import promClient, { type Registry } from '@platformatic/prom-client'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyMetricsModule from 'fastify-metrics'
import fp from 'fastify-plugin'
import { HTTP_REQUEST_DURATION } from './metric-definitions.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's own registry: what `GET /metrics` serves (several apps in one process stay apart). */
    metricsRegistry: Registry
  }
}

export interface MetricsPluginOptions {
  /** `0`: `GET /metrics` on the app's port; otherwise only on a listener of its own on this port. */
  port: number
  /** Where that listener binds (the app's host). */
  host: string
}

export const METRICS_PATH = '/metrics'

// A CommonJS module whose plugin is its `default` export.
const fastifyMetrics = fastifyMetricsModule.default

async function serve(registry: Registry, reply: FastifyReply) {
  return reply.type(registry.contentType).send(await registry.metrics())
}

/**
 * Prometheus metrics of an app: request durations by route and status (fastify-metrics, on
 * @platformatic/prom-client), the Node process metrics, and whatever the service registers in
 * `app.metricsRegistry`. The endpoint is not rate-limited, logged, traced or shed under pressure:
 * a scrape must work best exactly when the service struggles.
 */
async function metricsPlugin(app: FastifyInstance, options: MetricsPluginOptions) {
  const registry = new promClient.Registry()
  app.decorate('metricsRegistry', registry)
  await app.register(fastifyMetrics, {
    // The client it would pick by itself is the same; passed so the registries below are its own.
    promClient: promClient as never,
    // Served below from the app's own registry instead of the process-wide one.
    endpoint: null,
    defaultMetrics: { enabled: true, register: registry as never },
    routeMetrics: {
      enabled: { histogram: true, summary: false },
      routeBlacklist: [METRICS_PATH],
      overrides: {
        histogram: {
          name: HTTP_REQUEST_DURATION.name,
          help: HTTP_REQUEST_DURATION.help,
          buckets: [...HTTP_REQUEST_DURATION.buckets!],
          registers: [registry as never],
        },
        // fastify-metrics builds its summary even when disabled: registered nowhere.
        summary: { registers: [] },
      },
    },
  })

  if (options.port === 0) {
    app.get(
      METRICS_PATH,
      {
        logLevel: 'silent',
        schema: { hide: true },
        config: { rateLimit: false, otel: false, pressureHandler: () => undefined },
      },
      (_request: FastifyRequest, reply: FastifyReply) => serve(registry, reply),
    )
    return
  }

  // A listener of its own, opened only when the app listens (tests that inject never bind it).
  let server: Server | undefined
  app.addHook('onListen', async () => {
    server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== METRICS_PATH) {
        response.writeHead(404).end()
        return
      }
      registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: Error) => {
          app.log.error({ err }, 'collecting metrics failed')
          response.writeHead(500).end()
        },
      )
    })
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject).listen(options.port, options.host, () => resolve())
    })
    app.log.info({ port: options.port }, 'metrics listening')
  })
  app.addHook('onClose', async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()))
  })
}

export default fp(metricsPlugin, { name: 'metrics' })
