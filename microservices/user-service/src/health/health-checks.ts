import { checkDatabase, registerHealth, type ZodFastify } from '@kafka-ref/service-kit'
import type { RelayState } from '../outbox/relay.ts'

export interface HealthRoutesOptions {
  relayEnabled: boolean
  /** `STATUS_REFRESH_MS` */
  intervalMs: number
}

/**
 * Ready means "can take registrations", which needs only the database: while Kafka is down,
 * events wait in the outbox, so the producer and the backlog are reported, not required.
 * Alert on `oldestAgeMs` and `failing.rows` instead. The backlog comes from the outbox status
 * snapshot (counted on a connection of its own); `null` while the database does not answer.
 * Kafka's errors (they name topics and brokers) are logged by the relay, never shown here.
 */
export function healthRoutes(app: ZodFastify, { relayEnabled, intervalMs }: HealthRoutesOptions) {
  registerHealth(app, {
    intervalMs,
    checks: {
      // On the registrations' own pool, which is what readiness vouches for: one `select 1` per
      // refresh, however many probes there are.
      database: async () => ({ ok: await checkDatabase(app.db) }),
      outbox: async () => {
        const status = app.outboxStatus.value
        return {
          ok: true,
          relayEnabled,
          producerConnected: app.eventProducer.isConnected(),
          backlog: status?.backlog ?? null,
          oldestAgeMs: status?.oldestAgeMs ?? null,
          // Rows Kafka keeps rejecting (unknown topic, authorization): they wait with a back-off and
          // only their own keys wait behind them. An operator's problem, not a reason to stop serving.
          failing: status ? { rows: status.failing.rows, keys: status.failing.keys } : null,
          relay: relayCounts(app.outboxRelay.state),
        }
      },
    },
  })
}

/** The relay's counts, without its last error's text. */
function relayCounts(state: Readonly<RelayState>) {
  const { published, sendFailures, releasedRows, leasesLost, failingRows } = state
  return { published, sendFailures, releasedRows, leasesLost, failingRows }
}
