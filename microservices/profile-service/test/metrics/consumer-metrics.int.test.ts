import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalPostgres, startPostgres } from '@kafka-ref/local-servers'
import { encode } from '@kafka-ref/shared-contracts'
import {
  readinessInternals,
  type Scrape,
  scrapeMetrics,
  useHarness,
  userRegisterEvent,
  waitFor,
} from '@kafka-ref/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, PARTITIONS, startApp } from '../helpers.ts'

const TAG = 'metrics'
const P = 'kafka_ref_'

/** The consumer lag of each partition (0, 1, 2) as scraped; undefined where none is reported. */
function lags(scrape: Scrape): Array<number | undefined> {
  return Array.from(
    { length: PARTITIONS },
    (_, partition) =>
      scrape
        .samples(`${P}consumer_lag_messages`)
        .find((sample) => sample.labels.partition === String(partition))?.value,
  )
}

describe('consumer metrics', () => {
  const harness = useHarness()

  it('count applied events, duplicates and dead letters by reason, with batch durations and state', async () => {
    const ctx = await createTestContext(harness)
    const app = await startApp(harness, ctx.env)
    const event = userRegisterEvent(TAG, 0)
    await ctx.producer.sendAll(ctx.topic, [
      { ...encode(event), partition: 0 },
      // The same event again: a redelivery, recognised by its id.
      { ...encode(event), partition: 0 },
      { key: 'poison', value: 'not json at all', partition: 1 },
    ])
    await waitFor(() => app.consumer.processedCount === 3, { description: 'three messages processed' })

    const scrape = await waitFor(
      async () => {
        const now = await scrapeMetrics(app)
        return lags(now).every((lag) => lag === 0) && now
      },
      { description: 'no lag left on any partition' },
    )
    expect(scrape.value(`${P}consumer_events_total`, { outcome: 'applied' })).toBe(1)
    expect(scrape.value(`${P}consumer_events_total`, { outcome: 'duplicate' })).toBe(1)
    expect(scrape.value(`${P}consumer_dead_letters_total`, { reason: 'not_json' })).toBe(1)
    expect(scrape.value(`${P}consumer_dead_letters_total`, { reason: 'schema_violation' })).toBe(0)
    expect(scrape.value(`${P}consumer_batch_duration_seconds_count`, { outcome: 'stored' })).toBeGreaterThan(
      0,
    )
    expect(scrape.value(`${P}consumer_assigned_partitions`)).toBe(PARTITIONS)
    expect(scrape.value(`${P}consumer_paused_partitions`)).toBe(0)
    expect(scrape.value(`${P}consumer_connected`)).toBe(1)
    expect(scrape.value(`${P}profile_listener_connected`)).toBe(1)
    expect(scrape.value(`${P}profile_waiters`)).toBe(0)
    expect(scrape.value(`${P}dead_letter_producer_fatal_errors_total`)).toBe(0)
  })

  describe('while the consumer is stopped by a database outage', () => {
    let dataDir: string
    let postgres: LocalPostgres | undefined

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'profile-metrics-pg-'))
      postgres = await startPostgres({ dataDir, persistent: true })
    })
    afterAll(async () => {
      await postgres?.stop()
      await rm(dataDir, { recursive: true, force: true })
    })

    it('shows the lag growing, the partitions paused and retried, then back to 0', async () => {
      const server = postgres!
      const ctx = await createTestContext(harness, { databaseUrl: await server.createDatabase('profiles') })
      const app = await startApp(harness, ctx.env)
      const send = (from: number, to: number) =>
        ctx.producer.sendAll(
          ctx.topic,
          Array.from({ length: to - from }, (_, i) => ({
            ...encode(userRegisterEvent(TAG, from + i)),
            partition: (from + i) % PARTITIONS,
          })),
        )
      await send(0, 3)
      await waitFor(() => app.consumer.processedCount === 3, { description: 'first 3 processed' })

      await server.stop()
      await send(3, 12)
      const stuck = await waitFor(
        async () => {
          const scrape = await scrapeMetrics(app)
          const paused = scrape.value(`${P}consumer_paused_partitions`) ?? 0
          return lags(scrape).every((lag) => lag === 3) && paused > 0 && scrape
        },
        {
          timeoutMs: 30_000,
          intervalMs: 250,
          description: 'a lag of 3 on every partition, paused for retries',
        },
      )
      expect(stuck.value(`${P}consumer_retries_total`)).toBeGreaterThan(0)
      expect(stuck.value(`${P}consumer_batch_duration_seconds_count`, { outcome: 'failed' })).toBeGreaterThan(
        0,
      )
      // Readiness says the database is down, with no host or error text (those are in the log).
      const unready = await waitFor(
        async () => {
          const answer = await app.inject({ url: '/health/ready' })
          return answer.statusCode === 503 && answer
        },
        { description: 'readiness reporting the database down' },
      )
      expect(unready.json().checks.database).toEqual({ ok: false })
      expect(readinessInternals(unready.json())).toEqual([])

      postgres = await startPostgres({ dataDir, port: server.port, persistent: true })
      const recovered = await waitFor(
        async () => {
          const scrape = await scrapeMetrics(app)
          return lags(scrape).every((lag) => lag === 0) && scrape
        },
        { timeoutMs: 30_000, intervalMs: 250, description: 'the lag back to 0 on every partition' },
      )
      expect(recovered.value(`${P}consumer_events_total`, { outcome: 'applied' })).toBe(12)
      expect(recovered.value(`${P}consumer_paused_partitions`)).toBe(0)
    })
  })
})
