import { Producer, stringSerializers } from '@platformatic/kafka'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestTopics, testKafkaBrokers, uniqueName } from '../../src/testing/index.ts'
import { connectConsumer, type TestConsumer } from './rdkafka-consumer.ts'

const PARTITIONS = 3
const COUNT = 20

describe('shared Kafka broker', () => {
  const brokers = testKafkaBrokers()
  const open: Array<{ close(): Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((resource) => resource.close()))
  })

  const producerFor = () => {
    const producer = new Producer({
      clientId: uniqueName('smoke-producer'),
      bootstrapBrokers: [brokers],
      serializers: stringSerializers,
    })
    open.push({ close: () => producer.close() })
    return producer
  }
  const consumerFor = async (groupId: string, topic: string): Promise<TestConsumer> => {
    const consumer = await connectConsumer(brokers, groupId, topic)
    open.push(consumer)
    return consumer
  }

  it('delivers each message once across a consumer restart with manual commits', async () => {
    console.log(`[kafka-smoke] broker ${brokers}`)
    const topic = uniqueName('smoke')
    const groupId = uniqueName('smoke-group')
    await createTestTopics([{ name: topic, partitions: PARTITIONS }], brokers)

    const producer = producerFor()
    const sent = Array.from({ length: COUNT }, (_, i) => ({ topic, key: `key-${i}`, value: `message-${i}` }))
    await producer.send({ messages: sent })

    const first = await consumerFor(groupId, topic)
    const received = await first.take(COUNT, 30_000)
    expect(received.map((m) => m.value?.toString()).sort()).toEqual(sent.map((m) => m.value).sort())

    // Commit after "processing" each message, then check the broker stored last offset + 1 per partition.
    const lastOffset = new Map<number, number>()
    for (const message of received) {
      first.commit(message)
      lastOffset.set(message.partition, Math.max(lastOffset.get(message.partition) ?? -1, message.offset))
    }
    const committed = await first.committed(topic, PARTITIONS)
    for (const { partition, offset } of committed) {
      const expected = lastOffset.has(partition) ? lastOffset.get(partition)! + 1 : undefined
      if (expected !== undefined) expect(offset, `partition ${partition}`).toBe(expected)
    }
    await first.close()

    // A new member of the same group resumes from the commits: it must see only the new message.
    const second = await consumerFor(groupId, topic)
    await producer.send({ messages: [{ topic, key: 'late', value: 'message-late' }] })
    const afterRestart = await second.take(1, 30_000)
    // Poll a little longer: a redelivered old message would show up here.
    afterRestart.push(...(await second.take(COUNT, 1_000)))
    expect(afterRestart.map((m) => m.value?.toString())).toEqual(['message-late'])
  })
})
