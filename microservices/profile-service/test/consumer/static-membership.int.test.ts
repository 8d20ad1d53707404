import { createAdmin } from '@kafka-ref/local-servers'
import { encode } from '@kafka-ref/shared-contracts'
import { useHarness, userRegisterEvent, waitFor } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { countRows, createTestContext, PARTITIONS, startApp } from '../helpers.ts'

const TAG = 'static'

// CONSUMER_GROUP_INSTANCE_ID makes the instance a static member: the group keeps it (and its
// partitions) while it is away for less than the session timeout, instead of rebalancing.
describe('consumer as a static group member', () => {
  const harness = useHarness()

  it('joins under its name, and gets its partitions back at once when restarted within the session timeout', async () => {
    const ctx = await createTestContext(harness)
    // Far longer than the test may take: any wait for the old member to expire would show.
    const env = { ...ctx.env, CONSUMER_GROUP_INSTANCE_ID: 'profile-0', CONSUMER_SESSION_TIMEOUT_MS: '60000' }
    const first = await startApp(harness, env)
    await ctx.producer.sendAll(
      ctx.topic,
      Array.from({ length: PARTITIONS }, (_, partition) => ({
        ...encode(userRegisterEvent(TAG, partition)),
        partition,
      })),
    )
    await waitFor(async () => (await countRows(ctx.db)).profiles === PARTITIONS, {
      timeoutMs: 30_000,
      description: 'the first events stored',
    })

    const admin = harness.track(createAdmin(ctx.brokers), (client) => client.close())
    const group = (await admin.describeGroups({ groups: [ctx.groupId] })).get(ctx.groupId)
    expect([...(group?.members.values() ?? [])].map((member) => member.groupInstanceId)).toEqual([
      'profile-0',
    ])

    const closing = performance.now()
    await first.close()
    expect(performance.now() - closing).toBeLessThan(10_000)
    const restarted = await startApp(harness, env)
    const sentAt = performance.now()
    await ctx.producer.sendAll(
      ctx.topic,
      Array.from({ length: PARTITIONS }, (_, partition) => ({
        ...encode(userRegisterEvent(TAG, PARTITIONS + partition)),
        partition,
      })),
    )
    await waitFor(async () => (await countRows(ctx.db)).profiles === 2 * PARTITIONS, {
      timeoutMs: 30_000,
      description: 'the events after the restart stored',
    })
    // A new dynamic member would have waited for the old one's 60 s session to end.
    expect(performance.now() - sentAt).toBeLessThan(10_000)
    expect(restarted.consumer.assignments).toHaveLength(PARTITIONS)
  })
})
