import { randomUUID } from 'node:crypto'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { waitFor } from '@kafka-ref/tools/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  TestConsumer as Consumer,
  createTestContext,
  register,
  registration,
  startApp,
  type TestConsumer,
  type TestContext,
} from '../helpers.ts'

// Each test gets a fresh database and namespace, so event counts are per test.
let context: TestContext
const apps: ZodFastify[] = []
const consumers: TestConsumer[] = []

async function start(env: Record<string, string> = {}) {
  const app = await startApp({ ...context.env, OUTBOX_ENABLED: 'true', ...env })
  apps.push(app)
  return app
}
async function consume() {
  const consumer = await Consumer.connect(context.brokers, context.topic)
  consumers.push(consumer)
  return consumer
}
async function unpublished(app: ZodFastify) {
  const rows = await app.db.selectFrom('outbox').select('id').where('published_at', 'is', null).execute()
  return rows.length
}

afterEach(async () => {
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

    const received = await consumer.readExactly(3)
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
    await consumer.readExactly(1, { settleMs: 0 })

    const started = performance.now()
    expect((await register(app, registration())).statusCode).toBe(201)
    await waitFor(async () => (await unpublished(app)) === 0, { timeoutMs: 5000, intervalMs: 5 })
    const latencyMs = performance.now() - started
    console.log(`[user-service] register → broker ack → marked published: ${latencyMs.toFixed(0)} ms`)
    expect(latencyMs).toBeLessThan(2000)
    expect(await consumer.readExactly(2, { settleMs: 0 })).toHaveLength(2)
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
    const received = await consumer.readExactly(1, { settleMs: 3000 })
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

    const received = await consumer.readExactly(60, { settleMs: 3000 })
    expect(received.map((message) => message.key).sort()).toEqual([...users].sort())
    await waitFor(async () => (await unpublished(writer)) === 0, { timeoutMs: 5000, intervalMs: 50 })
  })
})
