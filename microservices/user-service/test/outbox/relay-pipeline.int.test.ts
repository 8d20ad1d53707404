import { randomUUID } from 'node:crypto'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { EventHeaders } from '@kafka-ref/shared-contracts'
import { createTestTopics, TestConsumer, waitFor } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import type { OutboxRelay } from '../../src/outbox/relay.ts'
import { createTestContext, outboxMessage, readEvents, startApp, type TestContext } from '../helpers.ts'
import { insert, newRelay, outboxRows, steppedProducer } from './relay-fixtures.ts'

// The relay claims the next batch while one is sent and marks the one before behind it. These
// tests hold sends on gates to look at the pipeline in each state, against the real broker and
// database.
let context: TestContext
const apps: ZodFastify[] = []
const relays: OutboxRelay[] = []
const consumers: TestConsumer[] = []

afterEach(async () => {
  await Promise.allSettled(relays.splice(0).map((relay) => relay.stop()))
  await Promise.allSettled(apps.splice(0).map((app) => app.close()))
  await Promise.allSettled(consumers.splice(0).map((consumer) => consumer.close()))
})

async function setUp() {
  context = await createTestContext({ topics: true })
  // The app's own relay is off; each test runs one of its own through the app's producer.
  const app = await startApp({ ...context.env, OUTBOX_ENABLED: 'false' })
  apps.push(app)
  return app
}

/** 30 rows in the outbox and a relay with batches of 10 running on them, each send held until released. */
async function runOnBacklog() {
  const app = await setUp()
  await insert(
    app,
    Array.from({ length: 30 }, () => outboxMessage(context.topic)),
  )
  const producer = steppedProducer(app)
  const relay = track(newRelay(app, producer, { batchSize: 10 }))
  relay.start()
  return { app, producer, relay }
}

function track(relay: OutboxRelay) {
  relays.push(relay)
  return relay
}

/** Owners holding unpublished rows, and how many rows each holds. */
async function holders(app: ZodFastify) {
  const rows = (await outboxRows(app)).filter((row) => row.published_at === null && row.lease_owner !== null)
  const counts = new Map<string, number>()
  for (const row of rows) counts.set(row.lease_owner!, (counts.get(row.lease_owner!) ?? 0) + 1)
  return [...counts.values()].sort((a, b) => a - b)
}

describe('outbox relay pipeline', () => {
  it('claims the next batch while one is sent, and never has two sends under way', async () => {
    const { app, producer, relay } = await runOnBacklog()

    await waitFor(() => producer.waiting === 1, { description: 'the first send' })
    // The batch being sent and the one claimed behind it.
    await waitFor(async () => (await holders(app)).join() === '10,10', {
      description: 'the next batch claimed while the first is sent',
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(producer.waiting).toBe(1)

    while ((await outboxRows(app)).some((row) => row.published_at === null)) {
      producer.release()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(producer.maxInFlight).toBe(1)
    expect(producer.sent.map((batch) => batch.length)).toEqual([10, 10, 10])
    const sentIds = producer.sent.flat().map((message) => message.headers[EventHeaders.id])
    expect(new Set(sentIds).size).toBe(30)
    expect(relay.state.published).toBe(30)
  })

  it('gives back the batch it claimed ahead when stopped, and lets the send under way finish and be marked', async () => {
    const { app, producer, relay } = await runOnBacklog()
    await waitFor(async () => producer.waiting === 1 && (await holders(app)).join() === '10,10', {
      description: 'one batch sent, the next claimed',
    })

    const stopped = relay.stop()
    producer.release()
    await stopped
    const rows = await outboxRows(app)
    expect(rows.filter((row) => row.published_at !== null)).toHaveLength(10)
    // Free at once for any instance, not held until the lease ends.
    expect(rows.filter((row) => row.published_at === null && row.lease_owner !== null)).toEqual([])
    expect(producer.sent).toHaveLength(1)
  })

  it('never lets a later event of a key overtake one Kafka refuses, in the batch claimed ahead or after', async () => {
    const app = await setUp()
    const missingTopic = `${context.topic}.missing`
    const stuckUser = randomUUID()
    const first = outboxMessage(missingTopic, stuckUser)
    // The key's next event goes to a topic that exists: only the claim's order check holds it back.
    const next = outboxMessage(context.topic, stuckUser)
    const others = Array.from({ length: 9 }, () => outboxMessage(context.topic))
    await insert(app, [first, others[0]!, next, ...others.slice(1)])

    const consumer = await TestConsumer.connect(context.brokers, context.topic)
    consumers.push(consumer)
    const relay = track(
      newRelay(app, app.eventProducer, {
        batchSize: 2,
        sendAttempts: 2,
        releaseBackoffMaxMs: 500,
        backoff: { initialMs: 10, maxMs: 50 },
      }),
    )
    relay.start()

    // Every other event goes through while the key's first event keeps being refused...
    const received = await readEvents(consumer, others.length, { settleMs: 1500 })
    expect(received.map((message) => message.key).sort()).toEqual(others.map((message) => message.key).sort())
    // ...and its next one waits behind it, unsent.
    const waiting = (await outboxRows(app)).filter((row) => row.key === stuckUser)
    expect(waiting.map((row) => row.published_at)).toEqual([null, null])
    expect(relay.state.releasedRows).toBeGreaterThanOrEqual(1)

    await createTestTopics([{ name: missingTopic, partitions: 1 }], context.brokers)
    await waitFor(async () => (await outboxRows(app)).every((row) => row.published_at !== null), {
      timeoutMs: 30_000,
      description: 'both events of the key published once the topic exists',
    })
    const [firstRow, nextRow] = (await outboxRows(app)).filter((row) => row.key === stuckUser)
    expect(firstRow!.published_at!.getTime()).toBeLessThanOrEqual(nextRow!.published_at!.getTime())
    const all = await readEvents(consumer, others.length + 1, { settleMs: 1000 })
    expect(all.filter((message) => message.key === stuckUser).map((message) => message.event.id)).toEqual([
      next.headers[EventHeaders.id],
    ])
  })
})
