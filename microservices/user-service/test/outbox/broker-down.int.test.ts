import type { ZodFastify } from '@kafka-ref/service-kit'
import { type LocalKafka, startKafka } from '@kafka-ref/tools'
import { waitFor } from '@kafka-ref/tools/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createTestContext,
  register,
  registration,
  startApp,
  TestConsumer,
  type TestContext,
} from '../helpers.ts'

// A broker of its own: this file stops it, which must never happen to the shared one.
let kafka: LocalKafka
let context: TestContext
let app: ZodFastify | undefined
let consumer: TestConsumer | undefined

beforeAll(async () => {
  kafka = await startKafka()
  context = await createTestContext({ topics: true, brokers: kafka.bootstrapServers })
})
afterAll(async () => {
  await app?.close()
  await consumer?.close()
  await kafka?.stop()
})

it('keeps registering while Kafka is down and publishes every event once, in order, when it is back', async () => {
  app = await startApp({ ...context.env, OUTBOX_ENABLED: 'true' })
  const backlog = async () => {
    const response = await app!.inject({ method: 'GET', url: '/health/ready' })
    return response.json().checks.outbox
  }

  // One event while all is well, so the producer is connected when the broker goes away.
  const first = await register(app, registration())
  expect(first.statusCode).toBe(201)
  await waitFor(async () => (await backlog()).backlog === 0, { timeoutMs: 20_000, intervalMs: 50 })

  await kafka.stop()
  const registered: string[] = [first.json().id]
  for (let i = 0; i < 20; i++) {
    const response = await register(app, registration())
    expect(response.statusCode).toBe(201)
    registered.push(response.json().id)
  }
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  expect(ready.statusCode).toBe(200)
  expect(ready.json().checks.outbox).toMatchObject({ ok: true, backlog: 20 })
  expect(ready.json().checks.outbox.oldestAgeMs).toBeGreaterThanOrEqual(0)

  await kafka.start()
  const restartedAt = performance.now()
  await waitFor(async () => (await backlog()).backlog === 0, { timeoutMs: 30_000, intervalMs: 50 })
  console.log(
    `[user-service] backlog of 20 published ${(performance.now() - restartedAt).toFixed(0)} ms after restart`,
  )
  expect((await backlog()).producerConnected).toBe(true)

  consumer = await TestConsumer.connect(kafka.bootstrapServers, context.topic)
  const received = await consumer.readExactly(21, { timeoutMs: 60_000, settleMs: 3000 })

  const keys = received.map((message) => message.key)
  expect(keys).toHaveLength(21)
  expect(new Set(keys).size).toBe(21)
  expect([...keys].sort()).toEqual([...registered].sort())
  // Within each partition, events follow registration (commit) order.
  for (const partition of new Set(received.map((message) => message.partition))) {
    const inPartition = received
      .filter((message) => message.partition === partition)
      .map((message) => message.key)
    expect(inPartition).toEqual(registered.filter((id) => inPartition.includes(id)))
  }
}, 240_000)
