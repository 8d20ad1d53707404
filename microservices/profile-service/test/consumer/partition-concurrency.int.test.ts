import type { ZodFastify } from '@kafka-ref/service-kit'
import { encode, type UserRegisterEventV1 } from '@kafka-ref/shared-contracts'
import { committedOffsets, useHarness, userRegisterEvent, waitFor } from '@kafka-ref/testkit'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/schema.ts'
import { countRows, createTestContext, NO_OFFSET, PARTITIONS, startApp } from '../helpers.ts'

const TAG = 'concurrency'

/** `count` events of one user, each a new event id renaming it: applied in order, the last name stays. */
function renames(count: number, tag: string): UserRegisterEventV1[] {
  const user = userRegisterEvent(tag, 0)
  return Array.from({ length: count }, (_, i) => ({
    ...userRegisterEvent(tag, i),
    data: { ...user.data, username: `${tag}_${i}` },
  }))
}

/**
 * Backends of this database waiting for a lock (the consumer's statements behind the test's);
 * asked outside the locking transaction, which would see one snapshot of pg_stat_activity.
 */
async function lockWaiters(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`.execute(db)
  return rows[0]!.n
}

// The partitions of a batch are stored concurrently and the next fetch overlaps the batch: what
// must still hold is order per partition, commits only after storage, and nothing lost or doubled.
describe('consumer with partitions stored concurrently', () => {
  const harness = useHarness()

  it('stores the partitions of a batch at once, and commits none before it is stored', async () => {
    const ctx = await createTestContext(harness)
    // Migrated by an instance that does not consume.
    await (await startApp(harness, { ...ctx.env, CONSUMER_ENABLED: 'false' })).close()
    // One existing user per partition; a transaction of the test holds their rows, so the upsert
    // of each partition's chunk waits for it, visibly (pg_stat_activity).
    const blocked = Array.from({ length: PARTITIONS }, (_, partition) => userRegisterEvent(TAG, partition))
    await ctx.db
      .insertInto('profiles')
      .values(
        blocked.map(({ data }) => ({ user_id: data.userId, username: 'before', display_name: 'before' })),
      )
      .execute()
    const locker = new pg.Client({ connectionString: ctx.databaseUrl })
    await locker.connect()
    try {
      await locker.query('begin')
      await locker.query('select 1 from profiles for update')
      const others = Array.from({ length: 90 }, (_, i) => userRegisterEvent(TAG, PARTITIONS + i))
      // All produced before the consumer starts, so its first polls hold every partition.
      await ctx.producer.sendAll(ctx.topic, [
        ...blocked.map((event, partition) => ({ ...encode(event), partition })),
        ...others.map((event, i) => ({ ...encode(event), partition: i % PARTITIONS })),
      ])
      const app = await startApp(harness, { ...ctx.env, CONSUMER_DATABASE_POOL_MAX: String(PARTITIONS) })

      // One partition at a time, a single statement would wait and the others never start.
      await waitFor(async () => (await lockWaiters(ctx.db)) >= 2, {
        timeoutMs: 15_000,
        description: 'several partitions waiting at once',
      })
      expect(await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)).toEqual([
        NO_OFFSET,
        NO_OFFSET,
        NO_OFFSET,
      ])
      expect(app.consumer.processedCount).toBe(0)

      await locker.query('rollback')
      await waitFor(
        async () => {
          const offsets = await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)
          return offsets.every((offset) => offset === 31)
        },
        { timeoutMs: 15_000, description: 'offsets 31/31/31 committed' },
      )
      expect(await countRows(ctx.db)).toEqual({ profiles: 93, events: 93 })
      expect(app.consumer.processedCount).toBe(93)
    } finally {
      await locker.end()
    }
  })

  it('keeps each partition in order over many small batches, and across members joining and leaving', async () => {
    const ctx = await createTestContext(harness)
    // Small batches: many polls, each overlapping the batch before it.
    const env = { ...ctx.env, CONSUMER_BATCH_SIZE: '7' }
    const first = await startApp(harness, env)
    const chains = Array.from({ length: PARTITIONS }, (_, partition) => renames(60, `${TAG}_p${partition}`))
    const send = (from: number, to: number) =>
      ctx.producer.sendAll(
        ctx.topic,
        chains.flatMap((chain, partition) =>
          chain.slice(from, to).map((event) => ({ ...encode(event), partition })),
        ),
      )

    await send(0, 20)
    // A second member joins mid-stream (partitions move), then leaves (they move back).
    const second: ZodFastify = await startApp(harness, env)
    await send(20, 40)
    await waitFor(() => second.consumer.assignments.length > 0, {
      timeoutMs: 30_000,
      description: 'second member assigned',
    })
    await second.close()
    await send(40, 60)

    await waitFor(
      async () => {
        const offsets = await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)
        return offsets.every((offset) => offset === 60)
      },
      { timeoutMs: 30_000, description: 'offsets 60/60/60 committed' },
    )
    expect(await countRows(ctx.db)).toEqual({ profiles: PARTITIONS, events: 60 * PARTITIONS })
    for (const chain of chains) {
      const profile = await ctx.db
        .selectFrom('profiles')
        .select('username')
        .where('user_id', '=', chain[0]!.data.userId)
        .executeTakeFirstOrThrow()
      expect(profile.username).toBe(chain.at(-1)!.data.username)
    }
    expect(first.consumer.processedCount).toBeGreaterThan(0)
  })
})
