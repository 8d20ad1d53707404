import { DeadLetterHeaders, encode } from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  headersOf,
  LogCapture,
  readinessInternals,
  readTopic,
  useHarness,
  userRegisterEvent,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import {
  createTestContext,
  logEntries as entries,
  NO_OFFSET,
  setTopicConfig,
  startApp,
} from '../../helpers.ts'

describe('dead-letter producer after a fatal error', () => {
  const harness = useHarness()

  it('reports the fatal error, commits nothing past the message meanwhile, and recreates the producer', async () => {
    const ctx = await createTestContext(harness)
    // A real fatal error, raised by librdkafka itself: with its gap-less guarantee, an idempotent
    // producer whose batch the broker refuses for good (here: a dead-letter topic that takes less
    // than the producer lets through) stops with ERR__GAPLESS_GUARANTEE. Nothing else about the
    // producer differs from production.
    await setTopicConfig(ctx.brokers, ctx.deadLetterTopic, 'max.message.bytes', '20000')
    const logs = new LogCapture()
    const app = await startApp(harness, ctx.env, {
      logs,
      deadLetterSettings: { 'enable.gapless.guarantee': true },
    })
    const valid = encode(userRegisterEvent('fatal', 0))
    await ctx.producer.sendAll(ctx.topic, [
      { key: valid.key, value: 'p'.repeat(50_000), partition: 0 },
      { ...valid, partition: 0 },
    ])

    await waitFor(
      () =>
        entries(logs).some(
          (entry) =>
            entry.msg === 'message failed; partition paused until retry' &&
            /fatal/i.test(entry.err?.message ?? ''),
        ),
      { timeoutMs: 15_000, description: 'a dead-letter publish failed on the fatal error' },
    )
    expect((await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))[0]).toBe(NO_OFFSET)
    expect(app.consumer.processedCount).toBe(0)

    // The cause is gone: a working producer can now dead-letter the message.
    await setTopicConfig(ctx.brokers, ctx.deadLetterTopic, 'max.message.bytes', '1048588')
    await waitFor(async () => (await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))[0] === 2, {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: 'both messages committed',
    })
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(headersOf(dead!)[DeadLetterHeaders.offset]).toBe('0')

    // Readiness as refreshed since the publish went through: states, counts and the fatal error's
    // code, not librdkafka's text (the log has it).
    const ready = await waitFor(
      async () => {
        const answer = await app.inject({ url: '/health/ready' })
        const { deadLetter } = answer.json().checks.consumer
        return deadLetter.state === 'ready' && deadLetter.publishFailing === false && answer
      },
      { description: 'readiness refreshed' },
    )
    expect(ready.statusCode).toBe(200)
    const { deadLetter, problems } = ready.json().checks.consumer
    expect(deadLetter).toEqual({
      state: 'ready',
      fatalErrors: expect.any(Number),
      lastFatalError: 'ERR__FATAL',
      topic: 'present',
      publishFailures: expect.any(Number),
      publishFailing: false,
    })
    expect(deadLetter.fatalErrors).toBeGreaterThanOrEqual(1)
    expect(problems).toEqual([])
    expect(readinessInternals(ready.json())).toEqual([])
    const fatal = entries(logs).filter(
      (entry) =>
        entry.level === 50 &&
        (entry.msg === 'dead-letter producer failed fatally; recreating it' ||
          entry.msg === 'dead-letter producer fatal error cause'),
    )
    expect(fatal.length).toBeGreaterThanOrEqual(1)
    expect(fatal.map((entry) => `${entry.err?.message ?? ''} ${entry.reason ?? ''}`).join('\n')).toMatch(
      /gap-less/i,
    )
  })
})
