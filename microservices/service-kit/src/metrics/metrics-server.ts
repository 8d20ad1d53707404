import { createServer } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { METRICS_PATH } from './metric-definitions.ts'
// For the type of `app.metricsRegistry` only: nothing of the plugin is loaded.
import type {} from './metrics-plugin.ts'
import { sharedRender } from './shared-render.ts'

export interface MetricsServer {
  /** The port it listens on. */
  port: number
  close(): Promise<void>
}

/**
 * `GET /metrics` of an app on a port of its own (`METRICS_PORT`), so the port the public reaches
 * does not serve it. Opened by the entry point (`runServer`), not by the app, which never listens:
 * a test that injects into an app binds nothing.
 */
export async function listenMetrics(
  app: FastifyInstance,
  { host, port }: { host: string; port: number },
): Promise<MetricsServer> {
  const registry = app.metricsRegistry
  const render = sharedRender(registry)
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== METRICS_PATH) {
      response.writeHead(404).end()
      return
    }
    render().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => {
        app.log.error({ err }, 'collecting metrics failed')
        response.writeHead(500).end()
      },
    )
  })
  // The app's HTTP timeouts (`HTTP_*`) here too: a client that trickles its request holds no socket.
  server.requestTimeout = app.server.requestTimeout
  server.headersTimeout = app.server.headersTimeout
  server.keepAliveTimeout = app.server.keepAliveTimeout
  server.timeout = app.server.timeout
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, host, () => resolve())
  })
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : port
  app.log.info({ port: bound }, 'metrics listening')
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // A scraper's idle keep-alive connection must not hold the shutdown.
        server.closeIdleConnections()
      }),
  }
}
