import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'

export interface StopServerOptions {
  /** How long readiness answers 503 `draining` before the listener closes; 0 closes at once. */
  drainDelayMs: number
}

/**
 * The stop a load balancer can follow. First readiness answers 503 `draining` (`app.drain`, from
 * `createBaseApp`) while every request is still served, for longer than the balancer takes to see it
 * (`SHUTDOWN_DRAIN_DELAY_MS` > its check interval × failures to mark a server down), so it stops
 * sending new requests here; then `app.close()`: `preClose` hooks end waited reads early with what
 * they have, idle keep-alive connections close, the listener closes once in-flight requests are
 * answered, and the `onClose` hooks stop the workers (relay leases released, consumer commits and
 * leaves) and the pools.
 */
export async function stopServer(app: FastifyInstance, { drainDelayMs }: StopServerOptions): Promise<void> {
  // Also without a delay: the answers still in flight then close their connections.
  if (app.hasDecorator('drain')) app.drain.start()
  if (drainDelayMs > 0) {
    app.log.info({ drainDelayMs }, 'draining: readiness answers 503 before the listener closes')
    await sleep(drainDelayMs)
  }
  await app.close()
}
