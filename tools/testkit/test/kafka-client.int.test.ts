import { describe, expect, it } from 'vitest'
import { useHarness } from '../src/harness.ts'
import {
  committedOffsets,
  createTestTopics,
  endOffsets,
  headersOf,
  readTopic,
  TestConsumer,
  TestProducer,
  testKafkaBrokers,
  uniqueName,
} from '../src/index.ts'

const PARTITIONS = 3

const values = (messages: Array<{ value: Buffer | null }>) => messages.map((m) => m.value?.toString())

describe('the Kafka test client', () => {
  const harness = useHarness()
  const brokers = testKafkaBrokers()

  async function topicWith(count: number) {
    const topic = uniqueName('toolkit')
    await createTestTopics([{ name: topic, partitions: PARTITIONS }], brokers)
    const producer = harness.track(await TestProducer.connect(brokers))
    const records = Array.from({ length: count }, (_, i) => ({
      key: `key-${i}`,
      value: `value-${i}`,
      headers: { index: String(i) },
      partition: i % PARTITIONS,
    }))
    const delivered = await producer.sendAll(topic, records)
    return { topic, producer, records, delivered }
  }

  it('sendAll resolves with where the broker stored each record, in order, headers included', async () => {
    const { topic, delivered } = await topicWith(9)
    expect(delivered.map((d) => d.partition)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2])
    expect(delivered.map((d) => d.offset)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2])
    expect(await endOffsets(brokers, topic)).toEqual([3, 3, 3])

    const all = await readTopic(brokers, topic)
    expect(values(all)).toEqual([0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => `value-${i}`))
    expect(all.map((message) => headersOf(message).index)).toEqual([
      '0',
      '3',
      '6',
      '1',
      '4',
      '7',
      '2',
      '5',
      '8',
    ])
  })

  it('take(count) reads exactly count messages; with settleMs it also sees one more that comes late', async () => {
    const { topic, producer } = await topicWith(6)
    const consumer = harness.track(await TestConsumer.connect(brokers, topic))
    const first = await consumer.take(4, { timeoutMs: 30_000 })
    expect(first).toHaveLength(4)

    // Two were left; a third arrives while the consumer settles: an unexpected extra is seen.
    const late = consumer.take(2, { timeoutMs: 30_000, settleMs: 1_500 })
    await producer.send(topic, { key: 'late', value: 'late' })
    const rest = await late
    expect(rest).toHaveLength(3)
    expect(values([...first, ...rest]).sort()).toEqual([...values(await readTopic(brokers, topic))].sort())
    expect(consumer.received).toHaveLength(7)
  })

  it('reads given partitions from the start without joining a group, and commits what it processed', async () => {
    const { topic } = await topicWith(6)
    const groupId = uniqueName('toolkit-group')
    const consumer = harness.track(await TestConsumer.connect(brokers, topic, { groupId, partitions: [1] }))
    const read = await consumer.take(2, { timeoutMs: 30_000, settleMs: 500 })
    expect(values(read)).toEqual(['value-1', 'value-4'])

    consumer.commit(read[0]!)
    expect(await committedOffsets(brokers, groupId, topic)).toEqual([-1001, 1, -1001])
  })
})
