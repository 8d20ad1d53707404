import { KafkaApiKeys, readTopic, startKafkaProxy, useHarness, waitFor } from '@kafka-ref/testkit'
import { expect, it } from 'vitest'
import { createTestContext, outboxMessage, startApp } from '../helpers.ts'
import { insert } from '../outbox/relay-fixtures.ts'

const harness = useHarness()

/**
 * The relay resends a batch whose produce call failed, and promises no duplicate when the broker
 * had stored it: that rests on the producer (@fastify/kafka's @platformatic/kafka client) reusing
 * the batch's sequence numbers on the resend, so the broker recognises the copy. A client version
 * that moves them on after a failure breaks this test.
 */
it('stores a batch once when the broker stored it but its produce response was lost', async () => {
  const context = await createTestContext({ topics: true })
  // The broker gets and stores the first produce request; its answer never reaches the client,
  // whose request times out. Everything else passes.
  let produceResponses = 0
  const proxy = harness.track(
    await startKafkaProxy(context.brokers, {
      forwardResponse: ({ apiKey }) => apiKey !== KafkaApiKeys.produce || ++produceResponses > 1,
    }),
  )
  const app = harness.track(
    await startApp({ ...context.env, KAFKA_BROKERS: proxy.address, OUTBOX_ENABLED: 'true' }),
  )

  // One transaction, so the relay claims all of them in one batch: one produce request. Fixed
  // keys, so the batch spans partitions on every run (sequence numbers are per partition).
  const messages = Array.from({ length: 6 }, (_, i) =>
    outboxMessage(context.topic, `00000000-0000-4000-8000-00000000000${i}`),
  )
  await insert(app, messages)
  app.outboxRelay.wake()

  await waitFor(
    async () => {
      const left = await app.db.selectFrom('outbox').select('id').where('published_at', 'is', null).execute()
      return left.length === 0
    },
    { timeoutMs: 50_000, intervalMs: 250, description: 'the batch published after the resend' },
  )
  // The response was withheld, the send failed (the client does not retry a timed-out request)
  // and the relay sent the batch again.
  expect(proxy.dropped(KafkaApiKeys.produce)).toBe(1)
  expect(proxy.requests(KafkaApiKeys.produce)).toBeGreaterThanOrEqual(2)
  expect(app.outboxRelay.state).toMatchObject({ sendFailures: 1, published: messages.length })

  const records = await readTopic(context.brokers, context.topic)
  expect(new Set(records.map((record) => record.partition)).size).toBe(3)
  expect(records.map((record) => record.key?.toString()).sort()).toEqual(
    messages.map((message) => message.key).sort(),
  )
}, 90_000)
