import rdkafka, { type LibrdKafkaError, type Message } from 'node-rdkafka'
import { connect, disconnectWithin, poll } from '../../kafka/consumer-client.ts'
import { type ClientOptions, call, DlqError, TIMEOUT_MS, untilCoordinatorReady } from './kafka-calls.ts'

/**
 * The dead-letter topic's reader, in the re-drive command's own consumer group: it never joins the
 * service's group, and what it commits is the command's cursor. Partitions are assigned, not
 * subscribed: no rebalance to wait for, and one run at a time per group.
 */
export async function openReader({ brokers, clientId }: ClientOptions, group: string) {
  const consumer = new rdkafka.KafkaConsumer(
    {
      'bootstrap.servers': brokers.join(','),
      'client.id': `${clientId}-dlq-redrive`,
      'group.id': group,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
    },
    { 'auto.offset.reset': 'earliest' },
  )
  try {
    await connect(consumer, TIMEOUT_MS)
  } catch (error) {
    throw new DlqError(
      `cannot reach Kafka at ${brokers.join(',')} within ${TIMEOUT_MS / 1000} s (${(error as Error).message})`,
    )
  }
  consumer.setDefaultConsumeTimeout(200)
  return consumer
}

/** The partition count of `topic`; a DlqError if it does not exist. */
export async function partitionCount(client: rdkafka.KafkaConsumer, topic: string): Promise<number> {
  const metadata = await call<rdkafka.Metadata>(`cannot read the metadata of ${topic}`, (done) =>
    client.getMetadata({ topic, timeout: TIMEOUT_MS }, done),
  )
  const found = metadata.topics.find((entry) => entry.name === topic)
  if (!found || found.partitions.length === 0)
    throw new DlqError(`topic ${topic} does not exist (is KAFKA_TOPIC_NAMESPACE right?)`)
  return found.partitions.length
}

export function watermarks(client: rdkafka.KafkaConsumer, topic: string, partition: number) {
  return call<{ lowOffset: number; highOffset: number }>(`cannot read the offsets of ${topic}`, (done) =>
    client.queryWatermarkOffsets(topic, partition, TIMEOUT_MS, done),
  )
}

/** The group's committed offset (the next to read) per partition; negative where none. */
export async function committed(client: rdkafka.KafkaConsumer, topic: string, partitions: number[]) {
  const offsets = await untilCoordinatorReady(() =>
    call<rdkafka.TopicPartitionOffset[]>('cannot read the committed offsets', (done) =>
      client.committed(
        partitions.map((partition) => ({ topic, partition })),
        TIMEOUT_MS,
        done,
      ),
    ),
  )
  return new Map(offsets.map(({ partition, offset }) => [partition, offset]))
}

export const readBatch = (client: rdkafka.KafkaConsumer, size: number): Promise<Message[]> =>
  poll(client, size)

/** Commits synchronously: resolves once the broker has the offsets. */
export function commit(
  client: rdkafka.KafkaConsumer,
  offsets: rdkafka.TopicPartitionOffset[],
): Promise<void> {
  return untilCoordinatorReady(async () => {
    try {
      client.commitSync(offsets)
    } catch (error) {
      const { message, code } = error as LibrdKafkaError
      throw Object.assign(new DlqError(`cannot commit the re-drive cursor: ${message}`), { code })
    }
  })
}

export async function closeReader(client: rdkafka.KafkaConsumer): Promise<void> {
  await disconnectWithin(client, TIMEOUT_MS)
}
