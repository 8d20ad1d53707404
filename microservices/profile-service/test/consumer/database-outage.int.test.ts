import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalPostgres, startPostgres } from '@kafka-ref/local-servers'
import { encode } from '@kafka-ref/shared-contracts'
import { committedOffsets, LogCapture, useHarness, userRegisterEvent, waitFor } from '@kafka-ref/testkit'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countRows, createTestContext, PARTITIONS, startApp } from '../helpers.ts'

const TAG = 'outage'

/**
 * Runs its own PostgreSQL server, so stopping it cannot disturb the other test files.
 */
describe('consumer during a database outage', () => {
  const harness = useHarness()
  let dataDir: string
  let postgres: LocalPostgres | undefined

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'profile-outage-pg-'))
    postgres = await startPostgres({ dataDir, persistent: true })
  })

  afterAll(async () => {
    await postgres?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('skips nothing and commits nothing early while the database is down', async () => {
    const server = postgres!
    const ctx = await createTestContext(harness, { databaseUrl: await server.createDatabase('profiles') })
    const logs = new LogCapture()
    const app = await startApp(harness, ctx.env, { logs })
    const events = Array.from({ length: 60 }, (_, i) => userRegisterEvent(TAG, i))
    // Event i goes to partition i % 3, so offsets are known: event i is at offset floor(i / 3).
    const send = (from: number, to: number) =>
      ctx.producer.sendAll(
        ctx.topic,
        events.slice(from, to).map((event, i) => ({ ...encode(event), partition: (from + i) % PARTITIONS })),
      )

    await send(0, 30)
    await waitFor(() => app.consumer.processedCount === 30, { description: 'first 30 processed' })

    await server.stop()
    await send(30, 60)
    // Sample the committed offsets throughout the outage, until every partition has failed and
    // retried several times: they must never pass the stored work.
    const samples: number[][] = []
    await waitFor(
      async () => {
        samples.push(await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))
        return retriedPartitions(logs, OUTAGE_ATTEMPTS).size === PARTITIONS
      },
      { timeoutMs: 30_000, intervalMs: 400, description: `${OUTAGE_ATTEMPTS} attempts on every partition` },
    )

    postgres = await startPostgres({ dataDir, port: server.port, persistent: true })
    const restartedAt = new Date()
    await waitFor(() => app.consumer.processedCount >= 60, {
      timeoutMs: 30_000,
      description: 'all 60 processed',
    })
    await waitFor(
      async () =>
        (await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)).every((offset) => offset === 20),
      { timeoutMs: 15_000, description: 'offsets 20/20/20 committed' },
    )

    const { db } = ctx
    expect(await countRows(db)).toEqual({ profiles: 60, events: 60 })
    const storedBefore = await db
      .selectFrom('processed_events')
      .select('event_id')
      .where('processed_at', '<', restartedAt)
      .execute()
    const storedIds = new Set(storedBefore.map((row) => row.event_id))
    expect(storedIds.size).toBe(30)
    for (const sample of samples) {
      sample.forEach((committed, partition) => {
        // Every event below the committed offset must have been stored before the restart.
        for (let offset = 0; offset < committed; offset++) {
          expect(storedIds.has(events[offset * 3 + partition]!.id)).toBe(true)
        }
        expect(committed).toBeLessThanOrEqual(10)
      })
    }
    const applied = await sql<{ n: number }>`select count(distinct user_id)::int as n from profiles`.execute(
      db,
    )
    expect(applied.rows[0]?.n).toBe(60)
  })

  it('fetches a partition paused for a retry again once it is revoked and assigned back', async () => {
    const server = postgres!
    const ctx = await createTestContext(harness, {
      databaseUrl: await server.createDatabase('profiles_rebalance'),
    })
    const { producer, db } = ctx
    const logs = new LogCapture()
    // A first retry 30-60 s after a failure: the partitions are certainly still paused when revoked.
    const first = await startApp(
      harness,
      { ...ctx.env, CONSUMER_RETRY_INITIAL_MS: '60000', CONSUMER_RETRY_MAX_MS: '60000' },
      { logs },
    )
    await waitFor(() => first.consumer.assignments.length === 3, { description: 'first assigned' })

    await server.stop()
    await producer.sendAll(
      ctx.topic,
      [0, 1, 2].map((partition) => ({ ...encode(userRegisterEvent(TAG, partition)), partition })),
    )
    await waitFor(() => retriedPartitions(logs, 1).size === 3, {
      timeoutMs: 15_000,
      description: 'all 3 partitions paused',
    })
    postgres = await startPostgres({ dataDir, port: server.port, persistent: true })

    // A second instance takes some of the paused partitions, stores their events, and leaves.
    const second = await startApp(harness, ctx.env)
    const moved = await waitFor(
      () => {
        const partitions = second.consumer.assignments.map((tp) => tp.partition)
        return (
          partitions.length > 0 && first.consumer.assignments.length + partitions.length === 3 && partitions
        )
      },
      { timeoutMs: 30_000, description: 'second instance assigned' },
    )
    await waitFor(() => second.consumer.processedCount === moved.length, {
      timeoutMs: 15_000,
      description: 'the moved partitions caught up',
    })
    await second.close()
    await waitFor(() => first.consumer.assignments.length === 3, {
      timeoutMs: 30_000,
      description: 'partitions back on the first instance',
    })

    const event = userRegisterEvent(TAG, 3)
    await producer.send(ctx.topic, { ...encode(event), partition: moved[0] })
    await waitFor(
      async () =>
        (await db
          .selectFrom('profiles')
          .select('user_id')
          .where('user_id', '=', event.data.userId)
          .executeTakeFirst()) !== undefined,
      { timeoutMs: 15_000, description: `profile of a new event on partition ${moved[0]}` },
    )
  })
})

/** Failed attempts on every partition while the first test samples offsets: about 2-4 s of outage. */
const OUTAGE_ATTEMPTS = 10

/** Partitions the app logged as paused for a retry after at least `attempts` failed attempts. */
function retriedPartitions(logs: LogCapture, attempts: number): Set<number> {
  const paused = new Set<number>()
  for (const line of logs.lines) {
    const entry = JSON.parse(line) as { msg?: string; partition?: number; attempt?: number }
    if (
      entry.msg === 'message failed; partition paused until retry' &&
      entry.partition !== undefined &&
      (entry.attempt ?? 0) >= attempts
    )
      paused.add(entry.partition)
  }
  return paused
}
