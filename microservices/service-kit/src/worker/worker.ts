import type { FastifyInstance } from 'fastify'

/** Work a service does besides answering HTTP: the outbox relay, the event consumer. */
export interface Worker {
  /**
   * Starts the work in the background; resolves once it runs (connected, subscribed), or at once
   * for a worker that connects in the background, retrying until it can.
   */
  start(): Promise<void> | void
  /** Stops the work, letting what is in flight finish within the shutdown budget. */
  stop(): Promise<void>
}

/**
 * The one lifecycle of a worker: started when the app is ready (after every plugin it depends on
 * loaded, before the server listens), stopped when the app closes (before the plugins it depends on
 * close, since onClose hooks run in reverse order). `enabled: false` (OUTBOX_ENABLED,
 * CONSUMER_ENABLED) builds it but never starts it: an instance that only serves HTTP.
 */
export function runWorker(app: FastifyInstance, worker: Worker, { enabled }: { enabled: boolean }): void {
  if (!enabled) return
  app.addHook('onReady', async () => {
    await worker.start()
  })
  app.addHook('onClose', async () => {
    await worker.stop()
  })
}
