import { checkDatabase, registerHealth, type ZodFastify } from '@kafka-ref/service-kit'
import { outboxBacklog } from '../outbox/outbox-repository.ts'

/**
 * Ready means "can take registrations", which needs only the database: while Kafka is down,
 * events wait in the outbox, so the producer and the backlog are reported, not required.
 * Alert on `oldestAgeMs` instead.
 */
export function healthRoutes(app: ZodFastify, { relayEnabled }: { relayEnabled: boolean }) {
  registerHealth(app, {
    checks: {
      database: async () => ({ ok: await checkDatabase(app.db) }),
      outbox: async () => ({
        ok: true,
        relayEnabled,
        producerConnected: app.eventProducer.isConnected(),
        ...(await outboxBacklog(app.db)),
      }),
    },
  })
}
