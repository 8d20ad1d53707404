import { DeadLetterHeaders, EventHeaders, encode } from '@kafka-ref/shared-contracts'
import { endOffsets, headersOf, readTopic, runDlq, useHarness, userRegisterEventV2 } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { createTestContext } from '../../helpers.ts'

const TAG = 'rules'

describe('pnpm dlq rules', () => {
  const harness = useHarness()

  it('re-drives within --reason and --max, skips and reports the capped, truncated and invalid ones', async () => {
    const ctx = await createTestContext(harness)
    const env = { KAFKA_BROKERS: ctx.brokers, KAFKA_TOPIC_NAMESPACE: ctx.env.KAFKA_TOPIC_NAMESPACE! }
    // Dead letters as the consumer writes them: the original record plus the why headers.
    const deadLetter = (index: number, why: Record<string, string> = {}, source = true) => {
      const { key, value, headers } = encode(userRegisterEventV2(TAG, index))
      const origin: Record<string, string> = source
        ? {
            [DeadLetterHeaders.topic]: ctx.topic,
            [DeadLetterHeaders.partition]: '1',
            [DeadLetterHeaders.offset]: String(index),
          }
        : {}
      const dlq = {
        [DeadLetterHeaders.reason]: 'unsupported_version',
        [DeadLetterHeaders.error]: 'not supported',
        ...origin,
      }
      return { key, value, partition: 0, headers: { ...headers, ...dlq, ...why } }
    }
    const records = [
      deadLetter(0),
      deadLetter(1, { [DeadLetterHeaders.redriveCount]: '3' }),
      deadLetter(2, { [DeadLetterHeaders.truncated]: 'value cut to 10 of 500 bytes' }),
      deadLetter(3, { [DeadLetterHeaders.reason]: 'schema_violation' }),
      deadLetter(4, {}, false),
      deadLetter(5, { [DeadLetterHeaders.redriveCount]: '1' }),
    ]
    for (const record of records) await ctx.producer.send(ctx.deadLetterTopic, record)

    const first = await runDlq(['--reason', 'unsupported_version', '--max', '1', '--json'], env)
    expect(first.code, first.stderr.join('\n')).toBe(0)
    const report = JSON.parse(first.stdout.join('\n'))
    expect(report.outcomes).toEqual({ redriven: 1, filtered: 1, capped: 1, truncated: 1, invalid: 1 })
    expect(report.skipped).toEqual([
      { outcome: 'capped', at: '0/1', reason: 'unsupported_version', redriveCount: 3 },
      { outcome: 'truncated', at: '0/2', reason: 'unsupported_version', redriveCount: 0 },
      { outcome: 'invalid', at: '0/4', reason: 'unsupported_version', redriveCount: 0 },
    ])
    // Stopped before the second match (offset 5): the next run starts there.
    expect(report.offsets).toEqual({ 0: { first: 0, last: 4 } })

    const [redriven, ...more] = await readTopic(ctx.brokers, ctx.topic)
    expect(more).toEqual([])
    expect(redriven!.partition).toBe(1)
    expect(redriven!.key?.toString()).toBe(records[0]!.key)
    expect(redriven!.value?.toString()).toBe(records[0]!.value)
    // The original headers as they were, no dead-letter header, and the count.
    const originalHeaders = Object.fromEntries(
      Object.entries(records[0]!.headers).filter(([name]) => !name.startsWith('dlq_')),
    )
    expect(headersOf(redriven!)).toEqual({ ...originalHeaders, [DeadLetterHeaders.redriveCount]: '1' })
    expect(originalHeaders[EventHeaders.dataVersion]).toBe('2')

    const second = await runDlq([], env)
    expect(second.stdout.at(-1)).toMatch(
      /^pnpm dlq: redriven 1, filtered 0, capped 0, truncated 0, invalid 0 \(1 read/,
    )
    const [, again] = await readTopic(ctx.brokers, ctx.topic)
    expect(headersOf(again!)[DeadLetterHeaders.redriveCount]).toBe('2')
  })

  it('says in one line that a topic is missing, and refuses an unknown option with exit code 2', async () => {
    const ctx = await createTestContext(harness)
    const missing = await runDlq([], {
      KAFKA_BROKERS: ctx.brokers,
      KAFKA_TOPIC_NAMESPACE: 'no-such-namespace.',
    })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toEqual([
      'pnpm dlq: topic no-such-namespace.user_register does not exist (is KAFKA_TOPIC_NAMESPACE right?)',
    ])
    const unknown = await runDlq(['--dry-runn'], { KAFKA_BROKERS: ctx.brokers })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toEqual([
      expect.stringMatching(/^pnpm dlq: unknown option '--dry-runn'; valid options: --dry-run/),
    ])
    expect(await endOffsets(ctx.brokers, ctx.topic)).toEqual([0, 0, 0])
  })
})
