import type { ZodFastify } from '@kafka-ref/service-kit'
import { encode, type UserRegisterEventV1 } from '@kafka-ref/shared-contracts'
import { committedOffsets, useHarness, userRegisterEvent, waitFor } from '@kafka-ref/tools/testing'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
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

// The partitions of a batch are stored concurrently and the next fetch overlaps the batch: what
// must still hold is order per partition, commits only after storage, and nothing lost or doubled.
describe('consumer with partitions stored concurrently', () => {
  const harness = useHarness()

  it("stores the other partitions' events while one partition's transaction waits, and commits it only once stored", async () => {
    const ctx = await createTestContext(harness)
    const blocked = userRegisterEvent(TAG, 0)
    // The user exists; a transaction of the test holds its row, so the upsert of partition 0 waits.
    await ctx.db
      .insertInto('profiles')
      .values({ user_id: blocked.data.userId, username: 'before', display_name: 'before' })
      .execute()
    const locker = new pg.Client({ connectionString: ctx.databaseUrl })
    await locker.connect()
    try {
      await locker.query('begin')
      await locker.query('select 1 from profiles where user_id = $1 for update', [blocked.data.userId])
      const others = Array.from({ length: 100 }, (_, i) => userRegisterEvent(TAG, 1 + i))
      // All produced before the consumer starts, so its first poll holds every partition.
      await ctx.producer.sendAll(ctx.topic, [
        { ...encode(blocked), partition: 0 },
        ...others.map((event, i) => ({ ...encode(event), partition: 1 + (i % 2) })),
      ])
      const app = await startApp(harness, ctx.env)

      await waitFor(async () => (await countRows(ctx.db)).profiles === 101, {
        timeoutMs: 15_000,
        description: 'partitions 1 and 2 stored while partition 0 waits',
      })
      const waiting = await ctx.db
        .selectFrom('profiles')
        .select('username')
        .where('user_id', '=', blocked.data.userId)
        .executeTakeFirstOrThrow()
      expect(waiting.username).toBe('before')
      expect((await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))[0]).toBe(NO_OFFSET)

      await locker.query('rollback')
      await waitFor(
        async () => {
          const offsets = await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)
          return offsets.join() === [1, 50, 50].join()
        },
        { timeoutMs: 15_000, description: 'offsets 1/50/50 committed' },
      )
      expect(await countRows(ctx.db)).toEqual({ profiles: 101, events: 101 })
      expect(app.consumer.processedCount).toBe(101)
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
