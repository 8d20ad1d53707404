import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalPostgres, startPostgres } from '@kafka-ref/tools'
import { LogCapture, waitFor } from '@kafka-ref/tools/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  committedOffsets,
  countRows,
  createTestContext,
  createTestProducer,
  openTestDatabase,
  startApp,
  useCleanup,
  userRegisterEvent,
} from '../helpers.ts'

/**
 * Runs its own PostgreSQL server, so stopping it cannot disturb the other test files.
 */
describe('profile consumer during a database outage', () => {
  const track = useCleanup()
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
    const ctx = await createTestContext({ databaseUrl: await server.createDatabase('profiles') })
    const producer = track(createTestProducer(ctx.brokers), (p) => p.close())
    const logs = new LogCapture()
    const app = track(await startApp(ctx.env, { logs }), (a) => a.close())
    const events = Array.from({ length: 60 }, () => userRegisterEvent())
    // Event i goes to partition i % 3, so offsets are known: event i is at offset floor(i / 3).
    const send = (from: number, to: number) =>
      Promise.all(
        [0, 1, 2].map((partition) =>
          producer.sendEvents(
            ctx.topic,
            events.slice(from, to).filter((_, i) => (from + i) % 3 === partition),
            partition,
          ),
        ),
      )

    await send(0, 30)
    await waitFor(() => app.profileConsumer.processedCount === 30, { description: 'first 30 processed' })

    await server.stop()
    const stoppedAt = Date.now()
    await send(30, 60)
    // Sample the committed offsets throughout the outage: they must never pass the stored work.
    const samples: number[][] = []
    while (Date.now() - stoppedAt < 4000) {
      samples.push(await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))
      await new Promise((resolve) => setTimeout(resolve, 400))
    }
    expect(logs.text()).toContain('message failed; partition paused until retry')

    postgres = await startPostgres({ dataDir, port: server.port, persistent: true })
    const restartedAt = new Date()
    await waitFor(() => app.profileConsumer.processedCount >= 60, {
      timeoutMs: 30_000,
      description: 'all 60 processed',
    })
    await waitFor(
      async () =>
        (await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)).every((offset) => offset === 20),
      { timeoutMs: 15_000, description: 'offsets 20/20/20 committed' },
    )

    const db = track(openTestDatabase(ctx.databaseUrl), (d) => d.destroy())
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
    const ctx = await createTestContext({ databaseUrl: await server.createDatabase('profiles_rebalance') })
    const producer = track(createTestProducer(ctx.brokers), (p) => p.close())
    const db = track(openTestDatabase(ctx.databaseUrl), (d) => d.destroy())
    const logs = new LogCapture()
    // A first retry 30-60 s after a failure: the partitions are certainly still paused when revoked.
    const first = track(
      await startApp(
        { ...ctx.env, CONSUMER_RETRY_INITIAL_MS: '60000', CONSUMER_RETRY_MAX_MS: '60000' },
        { logs },
      ),
      (a) => a.close(),
    )
    await waitFor(() => first.profileConsumer.assignments.length === 3, { description: 'first assigned' })

    await server.stop()
    await Promise.all(
      [0, 1, 2].map((partition) => producer.sendEvents(ctx.topic, [userRegisterEvent()], partition)),
    )
    await waitFor(() => pausedPartitions(logs).size === 3, {
      timeoutMs: 15_000,
      description: 'all 3 partitions paused',
    })
    postgres = await startPostgres({ dataDir, port: server.port, persistent: true })

    // A second instance takes some of the paused partitions, stores their events, and leaves.
    const second = await startApp(ctx.env)
    const moved = await waitFor(
      () => {
        const partitions = second.profileConsumer.assignments.map((tp) => tp.partition)
        return (
          partitions.length > 0 &&
          first.profileConsumer.assignments.length + partitions.length === 3 &&
          partitions
        )
      },
      { timeoutMs: 30_000, description: 'second instance assigned' },
    ).catch(async (error) => {
      await second.close()
      throw error
    })
    try {
      await waitFor(() => second.profileConsumer.processedCount === moved.length, {
        timeoutMs: 15_000,
        description: 'the moved partitions caught up',
      })
    } finally {
      await second.close()
    }
    await waitFor(() => first.profileConsumer.assignments.length === 3, {
      timeoutMs: 30_000,
      description: 'partitions back on the first instance',
    })

    const event = userRegisterEvent()
    await producer.sendEvents(ctx.topic, [event], moved[0])
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

/** Partitions the app logged as paused for a retry. */
function pausedPartitions(logs: LogCapture): Set<number> {
  const paused = new Set<number>()
  for (const line of logs.lines) {
    const entry = JSON.parse(line) as { msg?: string; partition?: number }
    if (entry.msg === 'message failed; partition paused until retry' && entry.partition !== undefined)
      paused.add(entry.partition)
  }
  return paused
}
