import { randomUUID } from 'node:crypto'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { EventHeaders } from '@kafka-ref/shared-contracts'
import { createTestTopics, LogCapture, TestConsumer, waitFor } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventProducer } from '../../src/kafka/producer-plugin.ts'
import { claimBatch } from '../../src/outbox/outbox-repository.ts'
import { type OutboxRelay, type RelayOptions, relayBatch } from '../../src/outbox/relay.ts'
import {
  createTestContext,
  outboxMessage,
  readEvents,
  register,
  registration,
  startApp,
  type TestContext,
} from '../helpers.ts'
import { gatedProducer, insert, newRelay, outboxRows } from './relay-fixtures.ts'

// Each test gets a fresh database and namespace, so event counts are per test.
let context: TestContext
const apps: ZodFastify[] = []
const consumers: TestConsumer[] = []

const relays: OutboxRelay[] = []

async function start(env: Record<string, string> = {}, logs?: LogCapture) {
  const app = await startApp({ ...context.env, OUTBOX_ENABLED: 'true', ...env }, logs)
  apps.push(app)
  return app
}
async function consume(topic = context.topic) {
  const consumer = await TestConsumer.connect(context.brokers, topic)
  consumers.push(consumer)
  return consumer
}
async function unpublished(app: ZodFastify) {
  const rows = await app.db.selectFrom('outbox').select('id').where('published_at', 'is', null).execute()
  return rows.length
}

afterEach(async () => {
  await Promise.allSettled(relays.splice(0).map((relay) => relay.stop()))
  await Promise.allSettled(apps.splice(0).map((app) => app.close()))
  await Promise.allSettled(consumers.splice(0).map((consumer) => consumer.close()))
})

describe('outbox relay', () => {
  it('publishes one event per registration, keyed by user id, with the request id as correlation id', async () => {
    context = await createTestContext({ topics: true })
    const app = await start()
    const consumer = await consume()

    const sent = []
    for (let i = 0; i < 3; i++) {
      const requestId = `req-${randomUUID()}`
      const body = registration()
      const response = await register(app, body, { 'x-request-id': requestId })
      expect(response.statusCode).toBe(201)
      sent.push({ requestId, body, user: response.json() })
    }

    const received = await readEvents(consumer, 3)
    expect(received).toHaveLength(3)
    for (const { requestId, body, user } of sent) {
      const match = received.filter((message) => message.key === user.id)
      expect(match).toHaveLength(1)
      const [{ event, headers, raw }] = match as [(typeof received)[number]]
      expect(event).toMatchObject({
        subject: user.id,
        correlationid: requestId,
        data: { userId: user.id, email: body.email, username: body.username, displayName: body.displayName },
      })
      expect(headers).toMatchObject({ correlation_id: requestId, ce_id: event.id, ce_type: event.type })
      expect(raw).not.toContain(body.password)
    }
    await waitFor(async () => (await unpublished(app)) === 0, { timeoutMs: 5000, intervalMs: 50 })
  })

  it('is woken by the commit: no poll delay on the happy path', async () => {
    context = await createTestContext({ topics: true })
    // A poll interval far longer than the test: only the wake-up can publish in time.
    const app = await start({ OUTBOX_POLL_INTERVAL_MS: '600000' })
    const consumer = await consume()
    // The first send pays for the connection and the producer id; measure the second one.
    expect((await register(app, registration())).statusCode).toBe(201)
    await readEvents(consumer, 1, { settleMs: 0 })

    const started = performance.now()
    expect((await register(app, registration())).statusCode).toBe(201)
    await waitFor(async () => (await unpublished(app)) === 0, { timeoutMs: 5000, intervalMs: 5 })
    const latencyMs = performance.now() - started
    console.log(`[user-service] register → broker ack → marked published: ${latencyMs.toFixed(0)} ms`)
    expect(latencyMs).toBeLessThan(2000)
    expect(await readEvents(consumer, 2, { settleMs: 0 })).toHaveLength(2)
  })

  it('publishes a committed row once after the instance that wrote it died before publishing', async () => {
    context = await createTestContext({ topics: true })
    // Instance 1: the relay never runs, as if the process died right after the commit.
    const crashed = await start({ OUTBOX_ENABLED: 'false' })
    const response = await register(crashed, registration())
    expect(response.statusCode).toBe(201)
    await crashed.close()
    apps.splice(apps.indexOf(crashed), 1)

    const consumer = await consume()
    const restarted = await start()
    const received = await readEvents(consumer, 1, { settleMs: 3000 })
    expect(received.map((message) => message.key)).toEqual([response.json().id])
    await waitFor(async () => (await unpublished(restarted)) === 0, { timeoutMs: 5000, intervalMs: 50 })
  })

  it('lets several instances share the backlog without publishing a row twice', async () => {
    context = await createTestContext({ topics: true })
    // Rows written while no relay runs, then three relays racing for them with small batches.
    const writer = await start({ OUTBOX_ENABLED: 'false' })
    const responses = await Promise.all(Array.from({ length: 60 }, () => register(writer, registration())))
    expect(responses.every((response) => response.statusCode === 201)).toBe(true)
    const users = responses.map((response) => response.json().id as string)
    const consumer = await consume()
    const relays = { OUTBOX_BATCH_SIZE: '5', OUTBOX_POLL_INTERVAL_MS: '20' }
    await Promise.all([start(relays), start(relays), start(relays)])

    const received = await readEvents(consumer, 60, { settleMs: 3000 })
    expect(received.map((message) => message.key).sort()).toEqual([...users].sort())
    await waitFor(async () => (await unpublished(writer)) === 0, { timeoutMs: 5000, intervalMs: 50 })
  })
})

/** End of the lease of the oldest row, in ms since the epoch (database time). */
async function leaseEnd(app: ZodFastify) {
  const [row] = await outboxRows(app)
  return row?.locked_until?.getTime() ?? Number.NaN
}

function relayOf(
  app: ZodFastify,
  producer: Pick<EventProducer, 'publish'>,
  options: Partial<RelayOptions> = {},
) {
  const relay = newRelay(app, producer, options)
  relays.push(relay)
  return relay
}

describe('outbox relay leases', () => {
  it('takes over the rows of an instance that died holding their lease, once the lease has ended', async () => {
    context = await createTestContext({ topics: true })
    const writer = await start({ OUTBOX_ENABLED: 'false' })
    const users = []
    for (let i = 0; i < 2; i++) users.push((await register(writer, registration())).json().id as string)
    // The dead instance's claim: nobody else may send these rows until it ends.
    const dead = await claimBatch(writer.db, { owner: 'dead-instance#1', limit: 10, leaseMs: 2000 })
    expect(dead).toHaveLength(2)
    const deadLeaseEnd = await leaseEnd(writer)

    const consumer = await consume()
    await start()
    const received = await readEvents(consumer, 2, { settleMs: 3000 })
    expect(received.map((message) => message.key).sort()).toEqual(users.sort())
    const rows = await outboxRows(writer)
    for (const row of rows) {
      expect(row.published_at?.getTime()).toBeGreaterThanOrEqual(deadLeaseEnd)
      expect(row.lease_owner).not.toBe('dead-instance#1')
    }
  })

  it('renews its lease while a send outlasts it, so no other instance takes the rows meanwhile', async () => {
    context = await createTestContext({ topics: true })
    const app = await start({ OUTBOX_ENABLED: 'false' })
    await insert(app, [outboxMessage(context.topic)])
    const producer = gatedProducer(app)
    const relay = relayOf(app, producer, { leaseMs: 1000 })
    const sending = relayBatch(relay)
    await waitFor(() => producer.calls === 1)
    const claimedUntil = await leaseEnd(app)

    // The send is held for three lease lengths; renewals keep pushing the end of the lease out.
    await waitFor(async () => (await leaseEnd(app)) > claimedUntil + 2000, {
      timeoutMs: 10_000,
      description: 'the lease to be renewed past three lease lengths',
    })
    expect(await claimBatch(app.db, { owner: 'other', limit: 10, leaseMs: 1000 })).toEqual([])

    producer.open('send')
    expect(await sending).toBe(1)
    expect(relay.state).toMatchObject({ published: 1, leasesLost: 0 })
    expect((await outboxRows(app))[0]?.published_at).not.toBeNull()
  })

  it('marks published only rows it still holds: a taken-over row is left to its new owner', async () => {
    context = await createTestContext({ topics: true })
    const app = await start({ OUTBOX_ENABLED: 'false' })
    await insert(app, [outboxMessage(context.topic)])
    const producer = gatedProducer(app)
    const relay = relayOf(app, producer)
    const sending = relayBatch(relay)
    await waitFor(() => producer.calls === 1)

    // Another instance holds the row now (as after this one's lease ran out).
    await app.db
      .updateTable('outbox')
      .set({ lease_owner: 'other#1', locked_until: new Date(Date.now() + 60_000) })
      .execute()
    producer.open('send')
    await sending
    expect(relay.state).toMatchObject({ published: 0, leasesLost: 1 })
    expect(await outboxRows(app)).toMatchObject([{ published_at: null, lease_owner: 'other#1' }])
  })

  it('gives its rows back when stopped in the middle of retrying, instead of holding them for the lease', async () => {
    context = await createTestContext({ topics: true })
    const app = await start({ OUTBOX_ENABLED: 'false' })
    await insert(app, [outboxMessage(context.topic)])
    const producer = gatedProducer(app)
    producer.open('fail')
    const relay = relayOf(app, producer)
    relay.start()
    await waitFor(() => relay.state.sendFailures >= 2)
    await relay.stop()
    expect(await outboxRows(app)).toMatchObject([
      { published_at: null, lease_owner: null, locked_until: null },
    ])
  })

  it('releases rows Kafka keeps rejecting with a back-off, reports them, and lets every other key go on', async () => {
    context = await createTestContext({ topics: true })
    const missingTopic = `${context.topic}.missing`
    const writer = await start({ OUTBOX_ENABLED: 'false' })
    // One batch: good rows around two rows (one key) for a topic that does not exist yet.
    const stuckUser = randomUUID()
    const stuck = [outboxMessage(missingTopic, stuckUser), outboxMessage(missingTopic, stuckUser)]
    const good = [outboxMessage(context.topic), outboxMessage(context.topic), outboxMessage(context.topic)]
    await insert(writer, [good[0]!, stuck[0]!, good[1]!, stuck[1]!, good[2]!])

    const consumer = await consume()
    const logs = new LogCapture()
    const app = await start({ OUTBOX_SEND_ATTEMPTS: '2', OUTBOX_RELEASE_BACKOFF_MAX_MS: '1000' }, logs)
    const received = await readEvents(consumer, 3, { settleMs: 2000 })
    expect(received.map((message) => message.key).sort()).toEqual(good.map((message) => message.key).sort())

    const ready = await waitFor(async () => {
      const response = await app.inject({ method: 'GET', url: '/health/ready' })
      return response.json().checks.outbox.failing.rows === 1 && response
    })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks.outbox).toMatchObject({ ok: true, backlog: 2, failing: { rows: 1, keys: 1 } })
    // Kafka's error names the topic: it is logged (below), never shown to whoever polls readiness.
    expect(ready.body).not.toContain(missingTopic)
    expect(app.outboxRelay.state).toMatchObject({ published: 3, releasedRows: expect.any(Number) })
    expect(app.outboxRelay.state.releasedRows).toBeGreaterThanOrEqual(1)
    const errors = logs.lines.map((line) => JSON.parse(line)).filter((line) => line.level >= 50)
    expect(errors).toContainEqual(
      expect.objectContaining({ keys: [stuckUser], topics: [missingTopic], attempts: expect.any(Number) }),
    )
    // The second row of the key never went ahead of the first.
    const [first, second] = (await outboxRows(app)).filter((row) => row.key === stuckUser)
    expect(first).toMatchObject({ published_at: null, last_error: expect.stringContaining('Unknown topic') })
    expect(second).toMatchObject({ published_at: null, attempts: 0 })

    // Once the topic exists, the next retry after the back-off publishes both, in order, once.
    await createTestTopics([{ name: missingTopic, partitions: 1 }], context.brokers)
    const late = await consume(missingTopic)
    const lateReceived = await readEvents(late, 2, { timeoutMs: 30_000, settleMs: 2000 })
    expect(lateReceived.map((message) => message.event.id)).toEqual(
      stuck.map((message) => message.headers[EventHeaders.id]),
    )
    await waitFor(async () => (await unpublished(app)) === 0, { timeoutMs: 10_000 })
    expect(await readEvents(consumer, 3, { settleMs: 500 })).toHaveLength(3)
  })
})
