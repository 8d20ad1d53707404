import { setTimeout as sleep } from 'node:timers/promises'
import { type LocalKafka, startKafka } from '@kafka-ref/local-servers'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { TestConsumer, waitFor } from '@kafka-ref/testkit'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createTestContext,
  readEvents,
  register,
  registration,
  startApp,
  type TestContext,
} from '../helpers.ts'
import { fatalSessionEnds, limitIdleInTransaction, watchIdleInTransaction } from './idle-transactions.ts'

// A broker of its own: this file stops it, which must never happen to the shared one.
let kafka: LocalKafka
let context: TestContext
let app: ZodFastify | undefined
let consumer: TestConsumer | undefined

/** How long the broker stays down: many times the database's idle-in-transaction limit. */
const OUTAGE_MS = 30_000
const IDLE_IN_TRANSACTION_LIMIT_MS = 2000

beforeAll(async () => {
  kafka = await startKafka()
  context = await createTestContext({ topics: true, brokers: kafka.bootstrapServers })
  // Production databases often end sessions that sit in a transaction; so does this one.
  await limitIdleInTransaction(context.env.DATABASE_URL!, `${IDLE_IN_TRANSACTION_LIMIT_MS}ms`)
})
afterAll(async () => {
  await app?.close()
  await consumer?.close()
  await kafka?.stop()
})

it('holds no transaction open through a 30 s Kafka outage, then publishes every event once, in order', async () => {
  const databaseUrl = context.env.DATABASE_URL!
  app = await startApp({ ...context.env, OUTBOX_ENABLED: 'true' })
  const outbox = async () => {
    const response = await app!.inject({ method: 'GET', url: '/health/ready' })
    return response.json().checks.outbox
  }

  // One event while all is well, so the producer is connected when the broker goes away.
  const first = await register(app, registration())
  expect(first.statusCode).toBe(201)
  await waitFor(async () => (await outbox()).relay.published === 1, { timeoutMs: 20_000, intervalMs: 50 })

  const fatalBefore = await fatalSessionEnds(databaseUrl)
  const idle = await watchIdleInTransaction(databaseUrl)
  await kafka.stop()
  const stoppedAt = performance.now()
  const registered: string[] = [first.json().id]
  for (let i = 0; i < 20; i++) {
    const response = await register(app, registration())
    expect(response.statusCode).toBe(201)
    registered.push(response.json().id)
  }
  // The backlog as counted at the next refresh.
  const ready = await waitFor(async () => {
    const answer = await app!.inject({ method: 'GET', url: '/health/ready' })
    return answer.json().checks.outbox.backlog === 20 && answer
  })
  expect(ready.statusCode).toBe(200)
  expect(ready.json().checks.outbox).toMatchObject({ ok: true, backlog: 20 })
  expect(ready.json().checks.outbox.oldestAgeMs).toBeGreaterThanOrEqual(0)

  // The outage itself is the scenario, not a wait for a condition: the relay keeps retrying
  // throughout, and a session held across those retries would be ended by the database.
  await sleep(OUTAGE_MS - (performance.now() - stoppedAt))
  await kafka.start()
  const restartedAt = performance.now()
  await waitFor(async () => (await outbox()).backlog === 0, { timeoutMs: 30_000, intervalMs: 50 })
  console.log(
    `[user-service] backlog of 20 published ${(performance.now() - restartedAt).toFixed(0)} ms after restart`,
  )
  const sessions = await idle.stop()
  const fatal = (await fatalSessionEnds(databaseUrl)) - fatalBefore
  console.log(
    `[user-service] during the outage: longest idle in transaction ${sessions.longestMs.toFixed(0)} ms ` +
      `(${sessions.samples} samples), sessions ended by the database: ${fatal}`,
  )
  expect(sessions.samples).toBeGreaterThan(OUTAGE_MS / 1000)
  // A session the database ended for idling in a transaction was idle for the whole limit.
  expect(fatal, 'sessions ended by the database (idle_in_transaction_session_timeout)').toBe(0)
  expect(sessions.longestMs).toBeLessThan(IDLE_IN_TRANSACTION_LIMIT_MS)
  expect((await outbox()).producerConnected).toBe(true)

  consumer = await TestConsumer.connect(kafka.bootstrapServers, context.topic)
  const received = await readEvents(consumer, 21, { timeoutMs: 60_000, settleMs: 3000 })

  const keys = received.map((message) => message.key)
  expect(keys).toHaveLength(21)
  expect(new Set(keys).size).toBe(21)
  expect(new Set(received.map((message) => message.event.id)).size).toBe(21)
  expect([...keys].sort()).toEqual([...registered].sort())
  // Within each partition, events follow registration (commit) order.
  for (const partition of new Set(received.map((message) => message.partition))) {
    const inPartition = received
      .filter((message) => message.partition === partition)
      .map((message) => message.key)
    expect(inPartition).toEqual(registered.filter((id) => inPartition.includes(id)))
  }
  // The relay did try to send during the outage (this is not a test of an idle relay).
  expect(app.outboxRelay.state.sendFailures).toBeGreaterThan(0)
}, 240_000)
