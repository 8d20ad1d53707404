import { DeadLetterHeaders, DecodeErrorReasons, encode } from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  endOffsets,
  headersOf,
  readTopic,
  useHarness,
  userRegisterEvent,
  userRegisterEventV2,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { countRows, createTestContext, startApp } from '../helpers.ts'

const TAG = 'versions'

describe('user_register data versions', () => {
  const harness = useHarness()

  const localeOf = async (ctx: Awaited<ReturnType<typeof createTestContext>>, userId: string) =>
    (await ctx.db.selectFrom('profiles').select('locale').where('user_id', '=', userId).executeTakeFirst())
      ?.locale

  it('stores v1 and v2 events by default, each through the upcaster, and dead-letters neither', async () => {
    const ctx = await createTestContext(harness)
    await startApp(harness, ctx.env)
    const v1 = userRegisterEvent(TAG, 0)
    const v2 = userRegisterEventV2(TAG, 1, { locale: 'sv-SE' })
    await ctx.producer.sendAll(ctx.topic, [
      { ...encode(v1), partition: 0 },
      { ...encode(v2), partition: 0 },
    ])

    await waitFor(async () => (await countRows(ctx.db)).profiles === 2, { description: 'both profiles' })
    expect(await localeOf(ctx, v1.data.userId)).toBe('und')
    expect(await localeOf(ctx, v2.data.userId)).toBe('sv-SE')
    expect(await readTopic(ctx.brokers, ctx.deadLetterTopic)).toEqual([])
  })

  it('held at v1 (CONSUMER_ACCEPTED_DATA_VERSIONS=1), dead-letters v2 as unsupported and goes on', async () => {
    const ctx = await createTestContext(harness)
    await startApp(harness, { ...ctx.env, CONSUMER_ACCEPTED_DATA_VERSIONS: '1' })
    const v2 = userRegisterEventV2(TAG, 2)
    const after = userRegisterEvent(TAG, 3)
    // The v1 event behind it on the same partition: stored, so the v2 one blocked nothing.
    await ctx.producer.sendAll(ctx.topic, [
      { ...encode(v2), partition: 1 },
      { ...encode(after), partition: 1 },
    ])

    await waitFor(async () => (await countRows(ctx.db)).profiles === 1, { description: 'the v1 profile' })
    expect(await localeOf(ctx, after.data.userId)).toBe('und')
    const [dead, ...more] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(more).toEqual([])
    expect(headersOf(dead!)).toMatchObject({
      [DeadLetterHeaders.reason]: DecodeErrorReasons.unsupportedVersion,
      [DeadLetterHeaders.error]: "'user_register' data version 2 is not supported here (accepted: 1)",
      [DeadLetterHeaders.partition]: '1',
      [DeadLetterHeaders.offset]: '0',
    })
    expect(dead!.value?.toString()).toBe(encode(v2).value)
    const end = await endOffsets(ctx.brokers, ctx.topic)
    await waitFor(async () => (await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))[1] === end[1], {
      description: 'partition 1 committed to its end',
    })
  })
})
