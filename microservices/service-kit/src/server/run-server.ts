import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { stopServer } from './stop-server.ts'

export interface RunServerOptions {
  app: FastifyInstance
  host: string
  port: number
  /** Upper bound for the close after the drain; past the drain and it the process exits anyway. */
  shutdownTimeoutMs: number
  /** On SIGTERM, how long readiness answers 503 `draining` before the listener closes (0: none). */
  drainDelayMs?: number
}

/**
 * Listens and stops the app on SIGTERM/SIGINT (or an uncaught error) within a bounded time, so
 * every plugin's onClose hook runs: relays finish their batch, clients disconnect. Only SIGTERM
 * drains first (`stopServer`): it is how an orchestrator, compose or a rolling restart stops one
 * instance among others; Ctrl-C (SIGINT) and a crash close at once.
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  const { app, drainDelayMs = 0 } = options
  const delay = drainDelayMs + options.shutdownTimeoutMs
  closeWithGrace({ delay, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error')
    else app.log.info({ signal }, 'shutting down')
    await stopServer(app, { drainDelayMs: signal === 'SIGTERM' ? drainDelayMs : 0 })
  })
  await app.listen({ host: options.host, port: options.port })
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
