import type { ZodFastify } from '@kafka-ref/service-kit'
import type { EventProducer } from '../../src/kafka/producer-plugin.ts'
import { insertOutboxMessage, type OutboxMessage } from '../../src/outbox/outbox-repository.ts'
import { OutboxRelay, type RelayOptions } from '../../src/outbox/relay.ts'

/** Writes the messages to the outbox in one transaction, as registrations would. */
export async function insert(app: ZodFastify, messages: OutboxMessage[]) {
  await app.db.transaction().execute(async (trx) => {
    for (const message of messages) await insertOutboxMessage(trx, message)
  })
}

export async function outboxRows(app: ZodFastify) {
  return app.db
    .selectFrom('outbox')
    .select(['id', 'key', 'topic', 'published_at', 'lease_owner', 'locked_until', 'attempts', 'last_error'])
    .orderBy('id')
    .execute()
}

/** A relay of its own, beside the app's (which is off), sending through `producer`. */
export function newRelay(
  app: ZodFastify,
  producer: Pick<EventProducer, 'publish'>,
  options: Partial<RelayOptions> = {},
): OutboxRelay {
  return new OutboxRelay(
    // Interrupting at stop goes to the app's producer, which every producer here sends through.
    { db: app.db, publisher: { interrupt: () => app.eventProducer.interrupt(), ...producer }, log: app.log },
    {
      batchSize: 100,
      pollIntervalMs: 50,
      retentionMs: 60_000,
      cleanupIntervalMs: 60_000,
      leaseMs: 30_000,
      sendAttempts: 3,
      releaseBackoffMaxMs: 60_000,
      stopTimeoutMs: 5_000,
      ...options,
    },
  )
}

/** Holds every send until `open()`; then lets it through to Kafka, or fails it. */
export function gatedProducer(app: ZodFastify) {
  let open!: (outcome: 'send' | 'fail') => void
  const gate = new Promise<'send' | 'fail'>((resolve) => {
    open = resolve
  })
  let calls = 0
  return {
    open,
    get calls() {
      return calls
    },
    async publish(messages: OutboxMessage[]) {
      calls += 1
      if ((await gate) === 'fail') throw new Error('broker not available (test)')
      await app.eventProducer.publish(messages)
    },
  }
}

/**
 * Holds each send on a gate of its own, released one at a time with `release()`, and records
 * how many sends were ever under way at once and what each one carried.
 */
export function steppedProducer(app: ZodFastify) {
  const waiting: Array<() => void> = []
  const sent: OutboxMessage[][] = []
  let inFlight = 0
  let maxInFlight = 0
  return {
    sent,
    get waiting() {
      return waiting.length
    },
    get maxInFlight() {
      return maxInFlight
    },
    release() {
      waiting.shift()?.()
    },
    async publish(messages: OutboxMessage[]) {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        await new Promise<void>((resolve) => waiting.push(resolve))
        await app.eventProducer.publish(messages)
        sent.push(messages)
      } finally {
        inFlight -= 1
      }
    },
  }
}
