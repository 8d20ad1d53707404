import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { deleteExpiredProcessedEvents } from './processed-events-retention.ts'

export interface ProcessedEventsCleanupOptions {
  /** Ids processed longer ago than this are deleted. */
  retentionMs: number
  /** How often; 0 never deletes (a topic that keeps its records forever can redeliver any of them). */
  intervalMs: number
}

/**
 * Keeps `processed_events` from growing forever: every `intervalMs` (and once at start) the ids
 * older than the retention are deleted. Each instance runs it; they skip each other's rows.
 */
async function processedEventsCleanupPlugin(app: FastifyInstance, options: ProcessedEventsCleanupOptions) {
  if (options.intervalMs === 0) return
  const log = app.log.child({ component: 'processed-events-cleanup' })
  let running: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined

  const run = () => {
    // A run that outlasts the interval is not doubled.
    if (running) return
    running = deleteExpiredProcessedEvents(app.db, options.retentionMs)
      .then((deleted) => {
        if (deleted > 0)
          log.info({ deleted, retentionMs: options.retentionMs }, 'deleted expired processed event ids')
      })
      .catch((err) => log.warn({ err }, 'processed event ids cleanup failed; retrying at the next interval'))
      .finally(() => {
        running = undefined
      })
  }

  app.addHook('onReady', async () => {
    run()
    timer = setInterval(run, options.intervalMs)
    timer.unref()
  })
  // Plugins close in reverse order: this runs before the pool is closed.
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running
  })
}

export default fp(processedEventsCleanupPlugin, {
  name: 'processed-events-cleanup',
  dependencies: ['database'],
})
