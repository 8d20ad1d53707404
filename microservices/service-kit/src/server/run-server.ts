import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { listenMetrics, type MetricsServer } from '../metrics/metrics-server.ts'
import { stopServer } from './stop-server.ts'

export interface RunServerOptions {
  app: FastifyInstance
  host: string
  port: number
  /**
   * `METRICS_PORT`: where the app's metrics registry is served, on a listener of its own; `0` or
   * omitted opens none (the app serves `GET /metrics` itself, or has no metrics).
   */
  metricsPort?: number
  /** Upper bound for the close after the drain; past the drain and it the process exits anyway. */
  shutdownTimeoutMs: number
  /** On SIGTERM, how long readiness answers 503 `draining` before the listener closes (0: none). */
  drainDelayMs?: number
}

/**
 * Listens (the metrics listener first) and stops the app on SIGTERM/SIGINT (or an uncaught error)
 * within a bounded time, so every plugin's onClose hook runs: relays finish their batch, clients
 * disconnect. Only SIGTERM drains first (`stopServer`): it is how an orchestrator, compose or a
 * rolling restart stops one instance among others; Ctrl-C (SIGINT) and a crash close at once. The
 * metrics listener closes last, so a drain can still be watched.
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  const { app, host, drainDelayMs = 0 } = options
  const delay = drainDelayMs + options.shutdownTimeoutMs
  let metrics: MetricsServer | undefined
  closeWithGrace({ delay, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error')
    else app.log.info({ signal }, 'shutting down')
    await stopServer(app, { drainDelayMs: signal === 'SIGTERM' ? drainDelayMs : 0 })
    await metrics?.close()
  })
  // Before the app starts its workers: a port already taken fails the start with nothing to undo.
  if (options.metricsPort && app.hasDecorator('metricsRegistry')) {
    metrics = await listenMetrics(app, { host, port: options.metricsPort })
  }
  await app.listen({ host, port: options.port })
}

/**
 * Runs a service's start-up and turns any failure (a bad variable, an unreachable database)
 * into one line on stderr and exit code 1, instead of a stack trace.
 */
export function main(service: string, start: () => Promise<void>): void {
  start().catch((error: Error) => {
    process.stderr.write(`${service}: ${error.message}\n`)
    process.exit(1)
  })
}
