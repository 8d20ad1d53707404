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
})
