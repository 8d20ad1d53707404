import {
  committedOffsets,
  createTestTopics,
  TestConsumer,
  testKafkaBrokers,
  uniqueName,
  useHarness,
} from '@kafka-ref/testkit'
import { Producer, stringSerializers } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'

const PARTITIONS = 3
const COUNT = 20

// The user-service's client library writes, the profile-service's reads, both against the shared broker.
describe('shared Kafka broker', () => {
  const harness = useHarness()
  const brokers = testKafkaBrokers()

  it('delivers each message once across a consumer restart with manual commits', async () => {
    console.log(`[kafka-smoke] broker ${brokers}`)
    const topic = uniqueName('smoke')
    const groupId = uniqueName('smoke-group')
    await createTestTopics([{ name: topic, partitions: PARTITIONS }], brokers)

    const producer = harness.track(
      new Producer({
        clientId: uniqueName('smoke-producer'),
        bootstrapBrokers: [brokers],
        serializers: stringSerializers,
      }),
    )
    const sent = Array.from({ length: COUNT }, (_, i) => ({ topic, key: `key-${i}`, value: `message-${i}` }))
    await producer.send({ messages: sent })

    const first = harness.track(await TestConsumer.connect(brokers, topic, { groupId }))
    const received = await first.take(COUNT)
    expect(received.map((m) => m.value?.toString()).sort()).toEqual(sent.map((m) => m.value).sort())

    // Commit after "processing" each message, then check the broker stored last offset + 1 per partition.
    const lastOffset = new Map<number, number>()
    for (const message of received) {
      first.commit(message)
      lastOffset.set(message.partition, Math.max(lastOffset.get(message.partition) ?? -1, message.offset))
    }
    const committed = await committedOffsets(brokers, groupId, topic)
    for (const [partition, offset] of lastOffset) {
      expect(committed[partition], `partition ${partition}`).toBe(offset + 1)
    }
    await first.close()

    // A new member of the same group resumes from the commits: it must see only the new message,
    // also when it reads a second longer (a redelivered old message would show up then).
    const second = harness.track(await TestConsumer.connect(brokers, topic, { groupId }))
    await producer.send({ messages: [{ topic, key: 'late', value: 'message-late' }] })
    const afterRestart = await second.take(1, { timeoutMs: 30_000, settleMs: 1_000 })
    expect(afterRestart.map((m) => m.value?.toString())).toEqual(['message-late'])
  })
})
