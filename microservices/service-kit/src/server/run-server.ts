import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

export interface RunServerOptions {
  app: FastifyInstance
  host: string
  port: number
  /** Upper bound for a graceful shutdown; past it the process exits anyway. */
  shutdownTimeoutMs: number
}

/**
 * Listens and closes the app on SIGINT/SIGTERM (or an uncaught error) within a bounded time, so
 * every plugin's onClose hook runs: relays finish their batch, clients disconnect.
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  const { app } = options
  closeWithGrace({ delay: options.shutdownTimeoutMs, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
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
