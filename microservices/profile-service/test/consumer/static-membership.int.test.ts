import { createAdmin } from '@kafka-ref/local-servers'
import { encode } from '@kafka-ref/shared-contracts'
import { LogCapture, scrapeMetrics, useHarness, userRegisterEvent, waitFor } from '@kafka-ref/testkit'
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

  it('reports being fenced by a second instance of the same name within 10 s, and consumes on without fencing it back', async () => {
    const ctx = await createTestContext(harness)
    const env = { ...ctx.env, CONSUMER_GROUP_INSTANCE_ID: 'profile-0' }
    const logs = new LogCapture()
    const first = await startApp(harness, env, { logs })
    await waitFor(() => first.consumer.assignments.length === PARTITIONS, { description: 'first assigned' })

    const second = await startApp(harness, env)
    const secondStartedAt = performance.now()
    const fenced = await waitFor(
      async () => {
        const consumer = (await first.inject({ url: '/health/ready' })).json().checks.consumer
        return consumer.lastFatalError === 'ERR_FENCED_INSTANCE_ID' && consumer
      },
      { timeoutMs: 10_000, intervalMs: 100, description: 'the first instance reporting it was fenced' },
    )
    console.log(
      `fenced instance reported it ${(performance.now() - secondStartedAt).toFixed(0)} ms after the second started`,
    )
    expect(fenced).toMatchObject({ ok: true, fatalErrors: 1 })
    const metrics = await scrapeMetrics(first)
    expect(metrics.value('kafka_ref_consumer_fatal_errors_total', { code: 'ERR_FENCED_INSTANCE_ID' })).toBe(1)
    const errors = logs.lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 50)
    expect(errors.map((entry) => [entry.msg, entry.code])).toEqual([
      ['kafka consumer failed fatally; recreating it', 'ERR_FENCED_INSTANCE_ID'],
    ])

    // Back under the same name it would fence the second, which would do the same: it comes back
    // as a dynamic member instead, and the group consumes with both.
    await waitFor(
      async () => {
        const consumer = (await first.inject({ url: '/health/ready' })).json().checks.consumer
        return consumer.state === 'running' && consumer.membership === 'fenced'
      },
      { timeoutMs: 20_000, description: 'the first instance consuming again' },
    )
    const admin = harness.track(createAdmin(ctx.brokers), (client) => client.close())
    await waitFor(
      async () => {
        const group = (await admin.describeGroups({ groups: [ctx.groupId] })).get(ctx.groupId)
        const names = [...(group?.members.values() ?? [])].map((member) => member.groupInstanceId)
        return names.length === 2 && names.filter((name) => name === 'profile-0').length === 1
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'the group: the second static, the first dynamic' },
    )
    await ctx.producer.sendAll(
      ctx.topic,
      Array.from({ length: 2 * PARTITIONS }, (_, i) => ({
        ...encode(userRegisterEvent(TAG, 100 + i)),
        partition: i % PARTITIONS,
      })),
    )
    await waitFor(async () => (await countRows(ctx.db)).profiles === 2 * PARTITIONS, {
      timeoutMs: 30_000,
      description: 'the events sent after the fencing stored',
    })
    const secondConsumer = (await second.inject({ url: '/health/ready' })).json().checks.consumer
    expect(secondConsumer).toMatchObject({ state: 'running', membership: 'static', fatalErrors: 0 })
  })
})
