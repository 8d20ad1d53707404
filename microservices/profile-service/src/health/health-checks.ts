import { checkDatabase, registerHealth, type ZodFastify } from '@kafka-ref/service-kit'

/**
 * Ready means "profiles are being created": the database answers and the consumer is in the group
 * with partitions to work on. An instance left without partitions (more instances than
 * partitions) is reported unready, which is accurate: it is idle.
 */
export function healthRoutes(app: ZodFastify, { consumerEnabled }: { consumerEnabled: boolean }) {
  registerHealth(app, {
    checks: {
      database: async () => ({ ok: await checkDatabase(app.db) }),
      ...(consumerEnabled && {
        consumer: async () => {
          const { consumer } = app
          const partitions = consumer.assignments.map((tp) => tp.partition)
          return {
            ok: consumer.isConnected && partitions.length > 0,
            connected: consumer.isConnected,
            partitions,
            paused: consumer.pausedPartitions.map((tp) => tp.partition),
            // Detail, not readiness: while it is recreated, dead letters wait (uncommitted).
            deadLetter: app.deadLetterProducer.status,
          }
        },
      }),
    },
  })
}
