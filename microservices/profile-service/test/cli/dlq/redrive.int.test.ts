import { ConsumerGroups, DeadLetterHeaders, encode, namespaced } from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  endOffsets,
  headersOf,
  readTopic,
  runDlq,
  startDlq,
  useHarness,
  userRegisterEventV2,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { countRows, createTestContext, startApp, type TestContext } from '../../helpers.ts'

const TAG = 'redrive'
const DEAD_LETTERS = 24
const sum = (offsets: number[]) => offsets.reduce((total, offset) => total + Math.max(0, offset), 0)

describe('pnpm dlq', () => {
  const harness = useHarness()

  /**
   * Dead letters as a rollout makes them: v2 events read by a consumer held at v1. Then that
   * consumer stops and an upgraded one (every version) runs, as after the deploy.
   */
  async function deadLettersOfAnOldConsumer() {
    const ctx = await createTestContext(harness)
    const old = await startApp(harness, { ...ctx.env, CONSUMER_ACCEPTED_DATA_VERSIONS: '1' })
    const events = Array.from({ length: DEAD_LETTERS }, (_, i) =>
      userRegisterEventV2(TAG, i, { locale: 'nl-BE' }),
    )
    await ctx.producer.sendAll(ctx.topic, events.map(encode))
    await waitFor(async () => sum(await endOffsets(ctx.brokers, ctx.deadLetterTopic)) === DEAD_LETTERS, {
      timeoutMs: 30_000,
      description: `${DEAD_LETTERS} dead letters`,
    })
    await old.close()
    await startApp(harness, ctx.env)
    const env = { KAFKA_BROKERS: ctx.brokers, KAFKA_TOPIC_NAMESPACE: ctx.env.KAFKA_TOPIC_NAMESPACE! }
    return { ctx, events, env }
  }

  const cursorOf = (
    ctx: TestContext,
    group = namespaced(ConsumerGroups.deadLetterRedrive, ctx.env.KAFKA_TOPIC_NAMESPACE),
  ) => committedOffsets(ctx.brokers, group, ctx.deadLetterTopic)

  /** Every profile, each once, from the v2 events (their locale is the proof they went through v2). */
  async function expectExactlyOneProfileEach(
    ctx: TestContext,
    events: ReturnType<typeof userRegisterEventV2>[],
  ) {
    await waitFor(async () => (await countRows(ctx.db)).events === events.length, {
      timeoutMs: 30_000,
      description: 'every re-driven event stored',
    })
    // Whatever is still on its way (a duplicate) is read before the counts are taken again.
    const end = await endOffsets(ctx.brokers, ctx.topic)
    await waitFor(
      async () => (await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic)).every((o, i) => o === end[i]),
      {
        timeoutMs: 30_000,
        description: 'the consumer at the end of the source topic',
      },
    )
    expect(await countRows(ctx.db)).toEqual({ profiles: events.length, events: events.length })
    const stored = await ctx.db.selectFrom('profiles').select(['user_id', 'locale']).execute()
    expect(stored.map((row) => row.user_id).sort()).toEqual(events.map((event) => event.data.userId).sort())
    expect(new Set(stored.map((row) => row.locale))).toEqual(new Set(['nl-BE']))
  }

  it('dry run: counts, offsets and masked samples; nothing republished, nothing committed', async () => {
    const { ctx, events, env } = await deadLettersOfAnOldConsumer()
    const sourceEnd = await endOffsets(ctx.brokers, ctx.topic)
    const { code, stdout, stderr } = await runDlq(['--dry-run', '--json'], env)
    expect(code, stderr.join('\n')).toBe(0)
    const report = JSON.parse(stdout.join('\n'))
    expect(report).toMatchObject({
      dryRun: true,
      read: DEAD_LETTERS,
      outcomes: { redriven: DEAD_LETTERS, filtered: 0, capped: 0, truncated: 0, invalid: 0 },
      byReason: { unsupported_version: DEAD_LETTERS },
      byDataVersion: { 2: DEAD_LETTERS },
    })
    expect(Object.values(report.bySourcePartition as Record<string, number>).reduce((a, b) => a + b)).toBe(
      DEAD_LETTERS,
    )
    expect(report.samples).toHaveLength(3)
    expect(report.samples[0].value.data).toMatchObject({
      email: expect.stringMatching(/^r\*\*\*@e\*\*\*$/),
      locale: 'nl-BE',
    })
    for (const event of events) expect(stdout.join('\n')).not.toContain(event.data.email)
    expect(stderr.at(-1)).toMatch(
      /^pnpm dlq: redriven 24, filtered 0, capped 0, truncated 0, invalid 0 \(24 read/,
    )
    expect(await endOffsets(ctx.brokers, ctx.topic)).toEqual(sourceEnd)
    expect(sum(await cursorOf(ctx))).toBe(0)
  })

  it('resumes after a kill -9 without losing a dead letter; each becomes exactly one profile', async () => {
    const { ctx, events, env } = await deadLettersOfAnOldConsumer()
    // Slow on purpose (5 a second, 2 per batch): the kill lands after the first commit, long before the end.
    const first = startDlq(['--rate', '5', '--batch-size', '2'], env)
    await waitFor(() => first.stderr.some((line) => line.includes('committed to')), {
      timeoutMs: 30_000,
      description: 'a first batch committed',
    })
    first.child.kill('SIGKILL')
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' })
    const cursor = sum(await cursorOf(ctx))
    expect(cursor, 'killed in the middle of the run').toBeGreaterThan(0)
    expect(cursor).toBeLessThan(DEAD_LETTERS)

    const second = await runDlq([], env)
    expect(second.code, second.stderr.join('\n')).toBe(0)
    // The rest, from the cursor on: nothing lost; what the killed run sent past it goes twice.
    expect(second.stdout.at(-1)).toMatch(
      new RegExp(`^pnpm dlq: redriven ${DEAD_LETTERS - cursor}, filtered 0`),
    )
    expect(sum(await cursorOf(ctx))).toBe(DEAD_LETTERS)
    await expectExactlyOneProfileEach(ctx, events)

    // Every dead letter once more, from a fresh cursor: all duplicates, and the dedup absorbs them.
    const again = await runDlq(['--group', `${TAG}-again`], env)
    expect(again.stdout.at(-1)).toMatch(new RegExp(`^pnpm dlq: redriven ${DEAD_LETTERS},`))
    await expectExactlyOneProfileEach(ctx, events)
    const redriven = (await readTopic(ctx.brokers, ctx.topic)).filter(
      (m) => headersOf(m)[DeadLetterHeaders.redriveCount],
    )
    expect(redriven.length).toBeGreaterThanOrEqual(2 * DEAD_LETTERS)
    expect(new Set(redriven.map((m) => headersOf(m)[DeadLetterHeaders.redriveCount]))).toEqual(new Set(['1']))
  })
})
