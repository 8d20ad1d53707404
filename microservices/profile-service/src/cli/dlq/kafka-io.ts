import rdkafka, { type LibrdKafkaError, type Message, type MessageHeader } from 'node-rdkafka'
import { connect, disconnectWithin, poll } from '../../kafka/consumer-client.ts'

/** What an operator is told, in one line, when the command cannot do its work (exit code 1). */
export class DlqError extends Error {
  override readonly name = 'DlqError'
}

const TIMEOUT_MS = 10_000

/** Rejects with a DlqError naming what it was doing, after librdkafka's own words. */
function call<T>(
  what: string,
  run: (done: (error: LibrdKafkaError | null | undefined, value: T) => void) => void,
) {
  return new Promise<T>((resolve, reject) =>
    run((error, value) => (error ? reject(new DlqError(`${what}: ${error.message}`)) : resolve(value))),
  )
}

export interface ClientOptions {
  brokers: readonly string[]
  clientId: string
}

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
  const offsets = await call<rdkafka.TopicPartitionOffset[]>('cannot read the committed offsets', (done) =>
    client.committed(
      partitions.map((partition) => ({ topic, partition })),
      TIMEOUT_MS,
      done,
    ),
  )
  return new Map(offsets.map(({ partition, offset }) => [partition, offset]))
}

export const readBatch = (client: rdkafka.KafkaConsumer, size: number): Promise<Message[]> =>
  poll(client, size)

/** Commits synchronously: returns once the broker has the offsets. */
export function commit(client: rdkafka.KafkaConsumer, offsets: rdkafka.TopicPartitionOffset[]): void {
  try {
    client.commitSync(offsets)
  } catch (error) {
    throw new DlqError(`cannot commit the re-drive cursor: ${(error as Error).message}`)
  }
}

export async function closeReader(client: rdkafka.KafkaConsumer): Promise<void> {
  await disconnectWithin(client, TIMEOUT_MS)
}

export interface Republisher {
  /** Resolves once the broker has acknowledged the record (acks=all). */
  send(
    topic: string,
    partition: number,
    record: { key: Buffer | null; value: Buffer | null; headers: MessageHeader[] },
  ): Promise<void>
  close(): Promise<void>
}

/** An idempotent `acks=all` producer: a retried send is written once, in order. */
export async function openRepublisher(
  { brokers, clientId }: ClientOptions,
  maxMessageBytes: number,
): Promise<Republisher> {
  const producer = new rdkafka.Producer(
    {
      'metadata.broker.list': brokers.join(','),
      'client.id': `${clientId}-dlq-redrive`,
      'enable.idempotence': true,
      'message.max.bytes': maxMessageBytes,
      dr_cb: true,
    },
    { 'request.required.acks': -1, 'message.timeout.ms': 30_000 },
  )
  const pending = new Map<number, (error: Error | null) => void>()
  let next = 0
  producer.on('delivery-report', (error, report) => {
    const id = report.opaque as number
    pending.get(id)?.(error ? new DlqError(`republish not acknowledged: ${error.message}`) : null)
    pending.delete(id)
  })
  // Transient broker errors are librdkafka's to retry; a send that never succeeds times out above.
  producer.on('event.error', () => undefined)
  await call<unknown>(`cannot reach Kafka at ${brokers.join(',')}`, (done) =>
    producer.connect({ timeout: TIMEOUT_MS }, done),
  )
  producer.setPollInterval(10)
  return {
    send(topic, partition, { key, value, headers }) {
      const id = next++
      return new Promise<void>((resolve, reject) => {
        pending.set(id, (error) => (error ? reject(error) : resolve()))
        try {
          producer.produce(topic, partition, value, key, Date.now(), id, headers)
        } catch (error) {
          pending.delete(id)
          reject(new DlqError(`cannot republish: ${(error as Error).message}`))
        }
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        producer.flush(TIMEOUT_MS, () => producer.disconnect(() => resolve()))
      }),
  }
}
