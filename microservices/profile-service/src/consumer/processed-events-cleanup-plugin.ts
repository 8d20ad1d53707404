import { runWorker } from '@kafka-ref/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'
import { deleteExpiredProcessedEvents } from '../profiles/profile-repository.ts'

/**
 * Keeps `processed_events` from growing forever: every `DEDUP_CLEANUP_INTERVAL_MS` (and once at
 * start) the ids older than `DEDUP_RETENTION_MS` are deleted; 0 never deletes (a topic that keeps
 * its records forever can redeliver any of them). Each instance runs it; they skip each other's rows.
 */
async function processedEventsCleanupPlugin(
  app: FastifyInstance,
  { retentionMs, intervalMs }: Config['processedEvents'],
) {
  const log = app.log.child({ component: 'processed-events-cleanup' })
  let running: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined

  const run = () => {
    // A run that outlasts the interval is not doubled.
    if (running) return
    running = deleteExpiredProcessedEvents(app.db, retentionMs)
      .then((deleted) => {
        if (deleted > 0) log.info({ deleted, retentionMs }, 'deleted expired processed event ids')
      })
      .catch((err) => log.warn({ err }, 'processed event ids cleanup failed; retrying at the next interval'))
      .finally(() => {
        running = undefined
      })
  }

  // Stopped before the pool closes: plugins close in reverse order.
  runWorker(
    app,
    {
      start: () => {
        run()
        timer = setInterval(run, intervalMs)
        timer.unref()
      },
      stop: async () => {
        clearInterval(timer)
        await running
      },
    },
    { enabled: intervalMs > 0 },
  )
}

export default fp(processedEventsCleanupPlugin, {
  name: 'processed-events-cleanup',
  dependencies: ['database'],
})
