import type { ZodFastify } from '@kafka-ref/service-kit'
import { DeadLetterHeaders, encode } from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  createTestTopics,
  headersOf,
  LogCapture,
  readinessInternals,
  readTopic,
  scrapeMetrics,
  useHarness,
  userRegisterEvent,
  waitFor,
} from '@kafka-ref/testkit'
import { Admin } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { createTestContext, logEntries as entries, NO_OFFSET, PARTITIONS, startApp } from '../../helpers.ts'

const ERROR = 50
const P = 'kafka_ref_'

describe('a missing dead-letter topic', () => {
  const harness = useHarness()

  /** Readiness once a refresh (`STATUS_REFRESH_MS`) reports `problems` that satisfy `until`. */
  async function readinessWhen(app: ZodFastify, until: (problems: string[]) => boolean, description: string) {
    return waitFor(
      async () => {
        const answer = await app.inject({ url: '/health/ready' })
        return until(answer.json().checks.consumer.problems) && answer
      },
      { description },
    )
  }

  async function setUp() {
    const ctx = await createTestContext(harness, { deadLetterTopic: false })
    const logs = new LogCapture()
    // Short publish attempts, so the retries of a message that cannot be dead-lettered come quickly.
    const app = await startApp(harness, { ...ctx.env, DEAD_LETTER_TIMEOUT_MS: '1000' }, { logs })
    return { ctx, logs, app }
  }

  it('is reported at start: an error line naming it, a code in readiness (never the name), a metric; reads are still served', async () => {
    const { ctx, logs, app } = await setUp()

    const missing = await waitFor(
      () =>
        entries(logs).find(
          (entry) =>
            entry.level === ERROR && entry.msg.includes(ctx.deadLetterTopic) && /not exist/.test(entry.msg),
        ),
      { description: 'an error line naming the missing dead-letter topic' },
    )
    expect(missing.deadLetterTopic).toBe(ctx.deadLetterTopic)

    const ready = await readinessWhen(app, (problems) => problems.length > 0, 'readiness reporting it')
    // Ready means "serves reads", which a missing dead-letter topic does not change.
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks.consumer.problems).toEqual(['dead-letter-topic-missing'])
    expect(ready.json().checks.consumer.deadLetter.topic).toBe('missing')
    expect(ready.body).not.toContain(ctx.deadLetterTopic)
    expect(readinessInternals(ready.json())).toEqual([])
    const scrape = await scrapeMetrics(app)
    expect(scrape.value(`${P}dead_letter_topic_missing`)).toBe(1)
    // Nothing created it behind the operator's back (a broker that auto-creates topics would).
    expect(await topicExists(ctx.brokers, ctx.deadLetterTopic)).toBe(false)
  })

  it('makes a poison message alert loudly while it waits, and go once the topic exists; nothing after it is skipped', async () => {
    const { ctx, logs, app } = await setUp()
    const event = userRegisterEvent('dlq_missing', 0)
    const valid = encode(event)
    await ctx.producer.sendAll(ctx.topic, [
      { key: valid.key, value: 'not json', partition: 0 },
      { ...valid, partition: 0 },
    ])

    await waitFor(
      () =>
        entries(logs).some(
          (entry) =>
            entry.level === ERROR &&
            entry.deadLetterTopic === ctx.deadLetterTopic &&
            entry.msg.startsWith(`dead-letter publish to ${ctx.deadLetterTopic} failed`),
        ),
      { timeoutMs: 20_000, description: 'an error line for the failed dead-letter publish' },
    )
    // It keeps retrying (the partition paused between attempts, with back-off).
    await waitFor(
      async () => ((await scrapeMetrics(app)).value(`${P}dead_letter_publish_failures_total`) ?? 0) >= 2,
      { timeoutMs: 20_000, description: 'two failed publishes counted' },
    )
    const ready = await readinessWhen(
      app,
      (problems) => problems.includes('dead-letter-publish-failing'),
      'readiness reporting the failing publish',
    )
    expect(ready.json().checks.consumer.problems).toEqual([
      'dead-letter-topic-missing',
      'dead-letter-publish-failing',
    ])
    expect(ready.body).not.toContain(ctx.deadLetterTopic)
    expect(readinessInternals(ready.json())).toEqual([])
    // Nothing committed past it. (The valid event of its chunk may be stored already: storing is
    // idempotent, and it is applied again once the poison message is dead-lettered.)
    expect((await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))[0]).toBe(NO_OFFSET)

    await createTestTopics([{ name: ctx.deadLetterTopic, partitions: PARTITIONS }], ctx.brokers)
    await waitFor(async () => (await committedOffsets(ctx.brokers, ctx.groupId, ctx.topic))[0] === 2, {
      timeoutMs: 45_000,
      intervalMs: 200,
      description: 'both messages committed once the topic exists',
    })
    expect((await app.inject({ url: `/profile/${event.data.userId}` })).statusCode).toBe(200)
    const [dead] = await readTopic(ctx.brokers, ctx.deadLetterTopic)
    expect(headersOf(dead!)[DeadLetterHeaders.offset]).toBe('0')
    // Cleared at a refresh after the publish went through.
    await readinessWhen(app, (problems) => problems.length === 0, 'readiness without problems')
    expect((await scrapeMetrics(app)).value(`${P}dead_letter_topic_missing`)).toBe(0)
  })
})

async function topicExists(brokers: string, topic: string): Promise<boolean> {
  const admin = new Admin({ clientId: 'dead-letter-topic-test', bootstrapBrokers: brokers.split(',') })
  try {
    return (await admin.listTopics()).includes(topic)
  } finally {
    await admin.close()
  }
}
