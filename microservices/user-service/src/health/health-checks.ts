import { checkDatabase, registerHealth, type ZodFastify } from '@kafka-ref/service-kit'
import { failingRows, outboxBacklog } from '../outbox/outbox-repository.ts'

/**
 * Ready means "can take registrations", which needs only the database: while Kafka is down,
 * events wait in the outbox, so the producer and the backlog are reported, not required.
 * Alert on `oldestAgeMs` and `failing.rows` instead.
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
        // Rows Kafka keeps rejecting (unknown topic, authorization): they wait with a back-off and
        // only their own keys wait behind them. An operator's problem, not a reason to stop serving.
        failing: await failingRows(app.db),
        relay: app.outboxRelay.state,
      }),
    },
  })
}
