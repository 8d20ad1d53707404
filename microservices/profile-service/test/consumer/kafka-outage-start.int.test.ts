import { type LocalKafka, startKafka } from '@kafka-ref/local-servers'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { encode } from '@kafka-ref/shared-contracts'
import { scrapeMetrics, useHarness, userRegisterEvent, waitFor } from '@kafka-ref/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, startApp } from '../helpers.ts'

const TAG = 'outage_start'
const P = 'kafka_ref_'

const consumerCheck = async (app: ZodFastify) =>
  (await app.inject({ url: '/health/ready' })).json().checks.consumer

// A broker of its own: this file stops it, which must never happen to the shared one.
describe('profile-service started while Kafka is unreachable', () => {
  const harness = useHarness()
  let kafka: LocalKafka

  beforeAll(async () => {
    kafka = await startKafka()
  })
  afterAll(async () => {
    await kafka?.stop()
  })

  it('is ready and serves the profiles it has, retries in the background, and consumes once the broker is back', {
    timeout: 120_000,
  }, async () => {
    const ctx = await createTestContext(harness, { brokers: kafka.bootstrapServers })
    // Each connection attempt to a broker that is down lasts this long (the connect timeout).
    const env = { ...ctx.env, SHUTDOWN_TIMEOUT_MS: '3000' }
    const before = userRegisterEvent(TAG, 0)
    const first = await startApp(harness, env)
    await ctx.producer.send(ctx.topic, encode(before))
    expect((await first.inject({ url: `/profile/${before.data.userId}?waitMs=10000` })).statusCode).toBe(200)
    await first.close()

    // The restart happens during the outage.
    await kafka.stop()
    const app = await startApp(harness, env)
    const ready = await app.inject({ url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks.database).toEqual({ ok: true })
    const read = await app.inject({ url: `/profile/${before.data.userId}` })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ userId: before.data.userId, username: before.data.username })

    // The consumer keeps trying, and says how it fails: a code, never a broker's address.
    const retrying = await waitFor(
      async () => {
        const consumer = await consumerCheck(app)
        return consumer.state === 'retrying' && consumer
      },
      { timeoutMs: 20_000, description: 'the consumer retrying' },
    )
    expect(retrying).toMatchObject({ ok: true, enabled: true, connected: false, partitions: [] })
    expect(retrying.failedAttempts).toBeGreaterThanOrEqual(1)
    expect(retrying.lastError).toMatch(/^ERR_/)
    const body = (await app.inject({ url: '/health/ready' })).body
    expect(body).not.toContain(kafka.bootstrapServers)
    expect(body).not.toContain('127.0.0.1')
    const metrics = await scrapeMetrics(app)
    expect(metrics.value(`${P}consumer_state`, { state: 'retrying' })).toBe(1)
    expect(metrics.value(`${P}consumer_state`, { state: 'running' })).toBe(0)

    // A stop keeps to its budget while an attempt to connect is under way: an attempt lasts
    // SHUTDOWN_TIMEOUT_MS here, the consumer's share of the stop half of it.
    const stopping = await startApp(harness, { ...env, SHUTDOWN_TIMEOUT_MS: '10000' })
    const closeStartedAt = performance.now()
    await stopping.close()
    const closeMs = performance.now() - closeStartedAt
    expect(closeMs).toBeLessThan(10_000)

    await kafka.start()
    const brokerBackAt = performance.now()
    const after = userRegisterEvent(TAG, 1)
    await ctx.producer.send(ctx.topic, encode(after))
    await waitFor(
      async () => (await app.inject({ url: `/profile/${after.data.userId}` })).statusCode === 200,
      { timeoutMs: 60_000, intervalMs: 250, description: 'the event sent after the restart stored' },
    )
    console.log(
      `consumer retrying with ${retrying.lastError}; stopped in ${closeMs.toFixed(0)} ms while connecting; event stored ${(performance.now() - brokerBackAt).toFixed(0)} ms after the broker was back`,
    )
    // Readiness as refreshed (STATUS_REFRESH_MS) since the consumer joined.
    const running = await waitFor(
      async () => {
        const consumer = await consumerCheck(app)
        return consumer.state === 'running' && consumer
      },
      { description: 'readiness refreshed' },
    )
    expect(running).toMatchObject({ state: 'running', connected: true, failedAttempts: 0 })
    expect((await scrapeMetrics(app)).value(`${P}consumer_state`, { state: 'running' })).toBe(1)
  })
})
