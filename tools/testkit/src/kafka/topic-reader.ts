import rdkafka, { type Message, type TopicPartitionOffset } from 'node-rdkafka'
import { connect, consumerConfig, disconnect } from './connection.ts'

/**
 * Questions about a topic as it is now (its end offsets, a group's commits, every record up to the
 * end), each answered by a consumer that joins no group and is gone afterwards.
 */
async function withReader<T>(brokers: string, use: (reader: rdkafka.KafkaConsumer) => Promise<T>) {
  const reader = await connect(
    new rdkafka.KafkaConsumer(consumerConfig(brokers), { 'auto.offset.reset': 'earliest' }),
  )
  try {
    return await use(reader)
  } finally {
    await disconnect(reader)
  }
}

function partitionsOf(reader: rdkafka.KafkaConsumer, topic: string): Promise<number[]> {
  return new Promise((resolve, reject) =>
    reader.getMetadata({ topic, timeout: 10_000 }, (error, metadata) => {
      if (error) return reject(error)
      const found = metadata.topics.find((entry) => entry.name === topic)
      if (!found || found.partitions.length === 0)
        return reject(new Error(`topic ${topic} has no partitions`))
      resolve(found.partitions.map((partition) => partition.id).sort((a, b) => a - b))
    }),
  )
}

function watermark(reader: rdkafka.KafkaConsumer, topic: string, partition: number): Promise<number> {
  return new Promise((resolve, reject) =>
    reader.queryWatermarkOffsets(topic, partition, 10_000, (error, offsets) =>
      error ? reject(error) : resolve(offsets.highOffset),
    ),
  )
}

/** The offset the next record of each partition will get (the high watermark), by partition. */
export function endOffsets(brokers: string, topic: string): Promise<number[]> {
  return withReader(brokers, async (reader) => {
    const partitions = await partitionsOf(reader, topic)
    return Promise.all(partitions.map((partition) => watermark(reader, topic, partition)))
  })
}

/** The group's committed offsets (next offset to read) by partition; -1001 where it committed none. */
export function committedOffsets(brokers: string, groupId: string, topic: string): Promise<number[]> {
  return withReader(brokers, async (reader) => {
    const partitions = await partitionsOf(reader, topic)
    const group = await connect(
      new rdkafka.KafkaConsumer({ 'bootstrap.servers': brokers, 'group.id': groupId }, {}),
    )
    try {
      const committed = await new Promise<TopicPartitionOffset[]>((resolve, reject) =>
        group.committed(
          partitions.map((partition) => ({ topic, partition })),
          10_000,
          (error, offsets) => (error ? reject(error) : resolve(offsets)),
        ),
      )
      return partitions.map((p) => committed.find((tp) => tp.partition === p)?.offset ?? -1001)
    } finally {
      await disconnect(group)
    }
  })
}

/**
 * Every record of `topic` from the beginning up to its end offsets as they were when called (so it
 * returns once it has them all, however many that is), in partition then offset order.
 */
export function readTopic(brokers: string, topic: string, { timeoutMs = 30_000 } = {}): Promise<Message[]> {
  return withReader(brokers, async (reader) => {
    const partitions = await partitionsOf(reader, topic)
    const ends = await Promise.all(partitions.map((partition) => watermark(reader, topic, partition)))
    const left = new Map(partitions.map((partition, i) => [partition, ends[i]!]))
    for (const [partition, end] of left) if (end === 0) left.delete(partition)
    reader.assign([...left.keys()].map((partition) => ({ topic, partition, offset: 0 })))
    reader.setDefaultConsumeTimeout(200)
    const messages: Message[] = []
    const deadline = Date.now() + timeoutMs
    while (left.size > 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `readTopic(${topic}): ${messages.length} records read, still missing partitions ${[...left.keys()]}`,
        )
      }
      const batch = await new Promise<Message[]>((resolve, reject) =>
        reader.consume(500, (error, got) => (error ? reject(error) : resolve(got))),
      )
      for (const message of batch) {
        const end = left.get(message.partition)
        if (end === undefined || message.offset >= end) continue
        messages.push(message)
        if (message.offset + 1 >= end) left.delete(message.partition)
      }
    }
    return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  })
}
