import type { ZodFastify } from '@kafka-ref/service-kit'
import {
  DeadLetterHeaders,
  DeadLetterReasons,
  DecodeErrorReasons,
  EventHeaders,
  encode,
} from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  headersOf,
  readTopic,
  useHarness,
  userRegisterEvent,
  waitFor,
} from '@kafka-ref/testkit'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import {
  countRows,
  createTestContext,
  NO_OFFSET,
  setTopicConfig,
  startApp,
  type TestContext,
} from '../helpers.ts'

/** Kafka's default (message.max.bytes), which the test broker keeps. */
const BROKER_MESSAGE_MAX_BYTES = 1_048_588
const TAG = 'consumer'

describe('consumer', () => {
  const harness = useHarness()

  async function setUp(envOverrides: Record<string, string> = {}) {
    const ctx = await createTestContext(harness)
    const env = { ...ctx.env, ...envOverrides }
    const start = (overrides: Record<string, string> = {}) => startApp(harness, { ...env, ...overrides })
    return { ctx, env, producer: ctx.producer, db: ctx.db, start }
  }

  const sum = (offsets: number[]) => offsets.reduce((total, offset) => total + Math.max(0, offset), 0)
  const waitForCommitted = (ctx: TestContext, expected: number[]) =>
    waitFor(
      async () => {
        const offsets = await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)
        return offsets.every((offset, i) => offset === expected[i]) && offsets
      },
      { timeoutMs: 15_000, intervalMs: 200, description: `committed offsets ${expected}` },
    )

  it('stores a profile readable over HTTP, once even when the event comes twice, and commits offset + 1', async () => {
    const { ctx, producer, db, start } = await setUp()
    const app = await start()
    const event = userRegisterEvent(TAG, 0)
    await producer.sendAll(
      ctx.topic,
      [event, event].map((e) => ({ ...encode(e), partition: 0 })),
    )

    const response = await app.inject({ url: `/profile/${event.data.userId}?waitMs=10000` })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ userId: event.data.userId, username: event.data.username })

    // Offsets 0 and 1 processed: the committed offset is the next one to read, 2.
    await waitForCommitted(ctx, [2, NO_OFFSET, NO_OFFSET])
    expect(app.consumer.processedCount).toBe(2)
    expect(await countRows(db)).toEqual({ profiles: 1, events: 1 })
  })

  it('reports its partitions, and stores an event on an idle topic within milliseconds', async () => {
    const { ctx, producer, start } = await setUp()
    const app = await start()
    // Readiness does not wait for partitions (see test/health); its details show them.
    await waitFor(
      async () => {
        const ready = await app.inject({ url: '/health/ready' })
        return ready.statusCode === 200 && ready.json().checks.consumer.partitions.length === 3
      },
      { description: 'all partitions assigned' },
    )
    expect((await app.inject({ url: '/health/ready' })).json().checks.consumer).toMatchObject({
      ok: true,
      partitions: [0, 1, 2],
    })
    // Idle: several empty polls (of CONSUMER_POLL_TIMEOUT_MS, 200 ms here) go by before the event
    // arrives. A bounded window, not a wait: the passing of empty polls is the precondition, and
    // nothing observable marks it.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const event = userRegisterEvent(TAG, 0)
    const sentAt = performance.now()
    await producer.send(ctx.topic, encode(event))
    const response = await app.inject({ url: `/profile/${event.data.userId}?waitMs=5000` })
    const latencyMs = performance.now() - sentAt
    expect(response.statusCode).toBe(200)
    console.log(`idle-topic event to stored profile: ${latencyMs.toFixed(0)} ms`)
    // node-rdkafka's flowing mode sleeps 500 ms between idle polls; this loop must not.
    expect(latencyMs).toBeLessThan(250)
  })

  it('dead-letters undecodable messages with the reason and goes on with the valid ones', async () => {
    const { ctx, producer, db, start } = await setUp()
    const app = await start()
    const [first, second] = [userRegisterEvent(TAG, 0), userRegisterEvent(TAG, 1)]
    const unknownType = { ...encode(first), value: JSON.stringify({ ...first, type: 'something_else' }) }
    const violation = { ...encode(second), value: JSON.stringify({ ...second, data: { userId: 'nope' } }) }
    await producer.sendAll(ctx.topic, [
      { ...encode(first), partition: 1 },
      { key: 'poison-key', value: 'not json {', headers: { 'x-origin': 'test' }, partition: 1 },
      { ...unknownType, partition: 1 },
      { ...violation, partition: 1 },
      { ...encode(second), partition: 1 },
    ])

    await waitForCommitted(ctx, [NO_OFFSET, 5, NO_OFFSET])
    expect(await countRows(db)).toEqual({ profiles: 2, events: 2 })
    const dead = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(dead).toHaveLength(3)
    const byOffset = new Map(dead.map((message) => [headersOf(message)[DeadLetterHeaders.offset], message]))

    const notJson = byOffset.get('1')!
    expect(notJson.key?.toString()).toBe('poison-key')
    expect(notJson.value?.toString()).toBe('not json {')
    const headers = headersOf(notJson)
    expect(headers).toMatchObject({
      'x-origin': 'test',
      [DeadLetterHeaders.reason]: DecodeErrorReasons.notJson,
      [DeadLetterHeaders.topic]: ctx.topic,
      [DeadLetterHeaders.partition]: '1',
      [DeadLetterHeaders.offset]: '1',
    })
    expect(headers[DeadLetterHeaders.error]).toMatch(/JSON/)
    expect(Date.parse(headers[DeadLetterHeaders.failedAt]!)).toBeGreaterThan(Date.now() - 60_000)

    expect(headersOf(byOffset.get('2')!)[DeadLetterHeaders.reason]).toBe(DecodeErrorReasons.unknownType)
    expect(byOffset.get('3')!.value?.toString()).toBe(violation.value)
    expect(headersOf(byOffset.get('3')!)).toMatchObject({
      [DeadLetterHeaders.reason]: DecodeErrorReasons.schemaViolation,
      [EventHeaders.correlationId]: second.correlationid,
    })
    expect(app.consumer.processedCount).toBe(5)
  })

  it('dead-letters an event PostgreSQL could never store (NUL in a name) instead of retrying it forever', async () => {
    const { ctx, producer, db, start } = await setUp()
    await start()
    const [poison, next] = [userRegisterEvent(TAG, 0), userRegisterEvent(TAG, 1)]
    const nul = { ...poison, data: { ...poison.data, displayName: 'Ada\u0000Lovelace' } }
    await producer.sendAll(ctx.topic, [
      { ...encode(poison), value: JSON.stringify(nul), partition: 2 },
      { ...encode(next), partition: 2 },
    ])

    await waitForCommitted(ctx, [NO_OFFSET, NO_OFFSET, 2])
    expect(await countRows(db)).toEqual({ profiles: 1, events: 1 })
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(headersOf(dead!)[DeadLetterHeaders.reason]).toBe(DecodeErrorReasons.schemaViolation)
  })

  it('dead-letters an event with a lone UTF-16 surrogate, produced by a raw client, and stores the next event of its key', async () => {
    const { ctx, producer, db, start } = await setUp()
    const app = await start()
    const [poison, next] = [userRegisterEvent(TAG, 0), userRegisterEvent(TAG, 1)]
    // Valid JSON and valid UTF-8 (JSON.stringify writes the lone surrogate as the escape \ud800),
    // but text no PostgreSQL column can hold. Built by hand: encode() would refuse the event.
    const surrogate = { ...poison, data: { ...poison.data, displayName: 'Ada\ud800' } }
    const value = JSON.stringify(surrogate)
    expect(value).toContain('Ada\\ud800')
    const sameKey = { ...next, subject: poison.subject, data: { ...next.data, userId: poison.data.userId } }
    await producer.sendAll(ctx.topic, [
      { ...encode(poison), value, partition: 2 },
      { ...encode(sameKey), partition: 2 },
    ])

    const response = await app.inject({ url: `/profile/${poison.data.userId}?waitMs=10000` })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ username: next.data.username })
    await waitForCommitted(ctx, [NO_OFFSET, NO_OFFSET, 2])
    expect(await countRows(db)).toEqual({ profiles: 1, events: 1 })
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(dead!.value?.toString()).toBe(value)
    expect(headersOf(dead!)).toMatchObject({
      [DeadLetterHeaders.reason]: DecodeErrorReasons.schemaViolation,
      [DeadLetterHeaders.offset]: '0',
    })
    expect(headersOf(dead!)[DeadLetterHeaders.error]).toMatch(/surrogate/)
  })

  it.each([
    // Class 22 (data exception): a column narrowed after the event was published.
    ['22001', 'alter table profiles alter column display_name type varchar(10)'],
    // A check constraint the event breaks.
    ['23514', "alter table profiles add constraint no_mallory check (display_name <> 'Mallory Mallory')"],
  ])(
    'dead-letters an event the database refuses for good (SQLSTATE %s) and stores the rest of its chunk, in order',
    async (sqlState, ddl) => {
      const { ctx, producer, db, start } = await setUp()
      const before = userRegisterEvent(TAG, 0, { displayName: 'Grace' })
      const refused = userRegisterEvent(TAG, 1, { displayName: 'Mallory Mallory' })
      // Another user's event under the refused one's key, after it: it must not be blocked by it.
      // (The same user's next event would replace the refused one inside the chunk's statement.)
      const after = { ...userRegisterEvent(TAG, 2, { displayName: 'Ada' }), subject: refused.subject }
      // Migrated by an instance that does not consume, then changed.
      await start({ CONSUMER_ENABLED: 'false' })
      await sql.raw(ddl).execute(db)
      // Produced before the consumer starts, so they come in one chunk (one statement, which fails).
      await producer.sendAll(
        ctx.topic,
        [before, refused, after].map((event) => ({
          ...encode(event),
          partition: 0,
        })),
      )
      const app = await start()

      await waitForCommitted(ctx, [3, NO_OFFSET, NO_OFFSET])
      expect(await countRows(db)).toEqual({ profiles: 2, events: 2 })
      expect((await app.inject({ url: `/profile/${refused.data.userId}` })).statusCode).toBe(404)
      const read = await app.inject({ url: `/profile/${after.data.userId}` })
      expect(read.json()).toMatchObject({ username: after.data.username, displayName: 'Ada' })
      const dead = await readTopic(ctx.brokers, ctx.deadLetterTopic)
      expect(dead).toHaveLength(1)
      expect(dead[0]!.value?.toString()).toBe(encode(refused).value)
      expect(headersOf(dead[0]!)).toMatchObject({
        [DeadLetterHeaders.reason]: DeadLetterReasons.rejectedByDatabase,
        [DeadLetterHeaders.offset]: '1',
        [EventHeaders.correlationId]: refused.correlationid,
      })
      expect(headersOf(dead[0]!)[DeadLetterHeaders.error]).toContain(`SQLSTATE ${sqlState}`)
      expect(app.consumer.processedCount).toBe(3)
    },
  )

  it('dead-letters a poison message of 1,000,000 bytes whole and goes on with the next event of its key', async () => {
    const { ctx, producer, db, start } = await setUp()
    const app = await start()
    const event = userRegisterEvent(TAG, 0)
    const valid = encode(event)
    await producer.sendAll(ctx.topic, [
      { key: valid.key, value: 'x'.repeat(1_000_000), partition: 0 },
      { ...valid, partition: 0 },
    ])

    const response = await app.inject({ url: `/profile/${event.data.userId}?waitMs=10000` })
    expect(response.statusCode).toBe(200)
    await waitForCommitted(ctx, [2, NO_OFFSET, NO_OFFSET])
    expect(await countRows(db)).toEqual({ profiles: 1, events: 1 })
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(dead!.key?.toString()).toBe(valid.key)
    expect(dead!.value?.length).toBe(1_000_000)
    expect(headersOf(dead!)).toMatchObject({
      [DeadLetterHeaders.reason]: DecodeErrorReasons.oversized,
      [DeadLetterHeaders.offset]: '0',
    })
    expect(headersOf(dead!)[DeadLetterHeaders.truncated]).toBeUndefined()
  })

  it('dead-letters a truncated copy of a poison message too big to be copied whole', async () => {
    const { ctx, producer, db, start } = await setUp()
    await start()
    const event = userRegisterEvent(TAG, 0)
    const valid = encode(event)
    // As big as the broker accepts: its limit (message.max.bytes) counts the record batch, i.e. the
    // value plus 108 bytes here (61 of batch header, 47 of record framing and key). The batch is
    // then also larger than librdkafka's default per-partition fetch (1,048,576), and the copy's
    // dead-letter headers can no longer fit beside the value.
    const size = BROKER_MESSAGE_MAX_BYTES - 108
    await producer.send(ctx.topic, { key: valid.key, value: 'y'.repeat(size), partition: 1 })
    await producer.send(ctx.topic, { ...valid, partition: 1 })

    await waitForCommitted(ctx, [NO_OFFSET, 2, NO_OFFSET])
    expect(await countRows(db)).toEqual({ profiles: 1, events: 1 })
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    const headers = headersOf(dead!)
    expect(headers).toMatchObject({
      [DeadLetterHeaders.reason]: DecodeErrorReasons.oversized,
      [DeadLetterHeaders.offset]: '0',
      [DeadLetterHeaders.partition]: '1',
      [DeadLetterHeaders.originalSize]: String(size),
    })
    expect(headers[DeadLetterHeaders.truncated]).toMatch(/value/)
    expect(dead!.key?.toString()).toBe(valid.key)
    const copied = dead!.value!
    expect(copied.length).toBeGreaterThan(size - 10_000)
    expect(copied.length).toBeLessThan(size)
    expect(copied.toString()).toBe('y'.repeat(copied.length))
  })

  it('dead-letters only the headers of a poison message when the dead-letter topic refuses its copy as too large', async () => {
    const { ctx, producer, db, start } = await setUp()
    // The dead-letter topic accepts less than the service was told the broker does.
    await setTopicConfig(ctx.brokers, ctx.deadLetterTopic, 'max.message.bytes', '50000')
    await start()
    const event = userRegisterEvent(TAG, 0)
    const valid = encode(event)
    await producer.sendAll(ctx.topic, [
      { key: valid.key, value: 'z'.repeat(100_000), partition: 2 },
      { ...valid, partition: 2 },
    ])

    await waitForCommitted(ctx, [NO_OFFSET, NO_OFFSET, 2])
    expect(await countRows(db)).toEqual({ profiles: 1, events: 1 })
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(dead!.value).toBeNull()
    expect(headersOf(dead!)).toMatchObject({
      [DeadLetterHeaders.offset]: '0',
      [DeadLetterHeaders.partition]: '2',
      [DeadLetterHeaders.originalSize]: '100000',
    })
    expect(headersOf(dead!)[DeadLetterHeaders.truncated]).toMatch(
      /^key, value and headers dropped: the broker refused a copy of \d+ bytes as too large$/,
    )
  })

  it('redelivers an event processed but not committed to the next consumer, which stores nothing twice', async () => {
    // Commits batched far apart: the first consumer processes but has not committed yet.
    const { ctx, producer, db, start } = await setUp({ CONSUMER_COMMIT_INTERVAL_MS: '600000' })
    const crashing = await start()
    const event = userRegisterEvent(TAG, 0)
    await producer.send(ctx.topic, { ...encode(event), partition: 2 })
    await waitFor(() => crashing.consumer.processedCount === 1)
    await crashing.consumer.close({ commit: false })
    expect(await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)).toEqual([
      NO_OFFSET,
      NO_OFFSET,
      NO_OFFSET,
    ])

    const next = await start({ CONSUMER_COMMIT_INTERVAL_MS: '0' })
    await waitFor(() => next.consumer.processedCount === 1, { description: 'redelivery' })
    await waitForCommitted(ctx, [NO_OFFSET, NO_OFFSET, 1])
    expect(await countRows(db)).toEqual({ profiles: 1, events: 1 })
    await next.close()

    // After a clean commit, a restarted consumer gets the partitions and nothing to redo.
    const restarted = await start()
    await waitFor(() => restarted.consumer.assignments.length === 3, { description: 'assignment' })
    // A negative ("nothing is redone") has no condition to wait for: give a redelivery a bounded
    // window (several polls of 200 ms) to show up.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(restarted.consumer.processedCount).toBe(0)
  })

  it('stores a polled batch with one transaction per partition chunk, duplicates and poison included', async () => {
    const { ctx, producer, db, start } = await setUp()
    const events = Array.from({ length: 150 }, (_, i) => userRegisterEvent(TAG, i))
    const others = Array.from({ length: 50 }, (_, i) => userRegisterEvent(TAG, 150 + i))
    // The same user again under a new event id (republished): one profile, with the later names.
    const renamed = userRegisterEvent(TAG, 200)
    const republished = { ...renamed, data: { ...events[5]!.data, username: renamed.data.username } }
    const partition0 = [
      ...events.slice(0, 10).map((event) => ({ ...encode(event), partition: 0 })),
      { ...encode(events[3]!), partition: 0 },
      { key: 'poison-key', value: 'not json {', partition: 0 },
      { ...encode(republished), partition: 0 },
      ...events.slice(10).map((event) => ({ ...encode(event), partition: 0 })),
    ]
    // All produced before the consumer starts, so its polls come back full.
    await producer.sendAll(ctx.topic, partition0)
    await producer.sendAll(
      ctx.topic,
      others.map((event) => ({ ...encode(event), partition: 1 })),
    )
    const app = await start()

    await waitForCommitted(ctx, [partition0.length, others.length, NO_OFFSET])
    expect(await countRows(db)).toEqual({ profiles: 200, events: 201 })
    const profile = await db
      .selectFrom('profiles')
      .selectAll()
      .where('user_id', '=', events[5]!.data.userId)
      .executeTakeFirstOrThrow()
    expect(profile.username).toBe(renamed.data.username)
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(headersOf(dead!)[DeadLetterHeaders.offset]).toBe('11')
    expect(app.consumer.processedCount).toBe(partition0.length + others.length)

    // processed_at is now(), the transaction's start: one value per transaction that stored events.
    // One event per transaction would give 201; a few polls of up to 100 messages give a few.
    const transactions = await db
      .selectFrom('processed_events')
      .select((eb) => eb.fn.count<string>('processed_at').distinct().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(transactions.n)).toBeLessThanOrEqual(10)
  })

  it('splits the partitions between two instances and stores 300 events as 300 profiles', async () => {
    const { ctx, producer, db, start } = await setUp()
    const apps: ZodFastify[] = [await start(), await start()]
    await waitFor(
      () =>
        apps.every((app) => app.consumer.assignments.length > 0) &&
        apps.reduce((total, app) => total + app.consumer.assignments.length, 0) === 3,
      { timeoutMs: 30_000, description: 'both instances assigned' },
    )
    const owned = apps.flatMap((app) => app.consumer.assignments.map((tp) => tp.partition))
    expect(owned.sort()).toEqual([0, 1, 2])

    const events = Array.from({ length: 300 }, (_, i) => userRegisterEvent(TAG, i))
    await producer.sendAll(
      ctx.topic,
      events.map((event) => encode(event)),
    )
    await waitFor(async () => (await countRows(db)).events === 300, {
      timeoutMs: 30_000,
      description: '300 events',
    })
    expect(await countRows(db)).toEqual({ profiles: 300, events: 300 })
    await waitFor(async () => sum(await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)) === 300, {
      timeoutMs: 15_000,
      description: 'all offsets committed',
    })
    for (const app of apps) expect(app.consumer.processedCount).toBeGreaterThan(0)
  })
})
