import promClient, { type Registry } from '@platformatic/prom-client'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyMetricsModule from 'fastify-metrics'
import fp from 'fastify-plugin'
import { HTTP_REQUEST_DURATION, METRICS_PATH } from './metric-definitions.ts'
import { sharedRender } from './shared-render.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's own registry: what `GET /metrics` serves (several apps in one process stay apart). */
    metricsRegistry: Registry
  }
}

export interface MetricsPluginOptions {
  /**
   * `0`: `GET /metrics` on the app's port; otherwise the entry point serves the registry on this
   * port (`listenMetrics`) and the app has no such route.
   */
  port: number
}

// A CommonJS module whose plugin is its `default` export.
const fastifyMetrics = fastifyMetricsModule.default

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

  // With a port of its own, the entry point serves the registry there (see metrics-server.ts).
  if (options.port !== 0) return
  const render = sharedRender(registry)
  app.get(
    METRICS_PATH,
    {
      logLevel: 'silent',
      schema: { hide: true },
      config: { rateLimit: false, otel: false, pressureHandler: () => undefined },
    },
    async (_request: FastifyRequest, reply: FastifyReply) =>
      reply.type(registry.contentType).send(await render()),
  )
}

export default fp(metricsPlugin, { name: 'metrics' })
