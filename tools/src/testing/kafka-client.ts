import rdkafka, { type Message, type TopicPartitionOffset } from 'node-rdkafka'
import { uniqueName } from './unique-name.ts'

/**
 * The one Kafka client of the tests and the benchmark: plain node-rdkafka, none of the services'
 * code, so what it sees is what any other client of the cluster would see.
 */

export interface Delivered {
  partition: number
  offset: number
}

export interface RawRecord {
  value: Buffer | string | null
  key?: string
  headers?: Record<string, string>
  /** Default: the partitioner picks it from the key. */
  partition?: number
}

function connect<T extends rdkafka.Client<string>>(client: T, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) =>
    client.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve(client))),
  )
}

function disconnect(client: rdkafka.Client<string>): Promise<void> {
  return new Promise((resolve) => {
    if (!client.isConnected()) return resolve()
    client.disconnect(() => resolve())
  })
}

/** The broker's default record limit (message.max.bytes 1048588): a test may send up to that. */
const LARGEST_RECORD = 1_048_588

/** A producer whose send() resolves once the broker acknowledged the record (acks=all). */
export class TestProducer {
  readonly #producer: rdkafka.Producer
  readonly #pending = new Map<number, (error: Error | null, delivered?: Delivered) => void>()
  #nextId = 0

  private constructor(brokers: string) {
    this.#producer = new rdkafka.Producer(
      {
        'bootstrap.servers': brokers,
        'client.id': uniqueName('test-producer'),
        dr_cb: true,
        'message.max.bytes': LARGEST_RECORD,
        'linger.ms': 1,
      },
      { acks: -1 },
    )
    this.#producer.on('delivery-report', (error, report) => {
      const id = report.opaque as number
      const failure = error ? new Error(`delivery failed: ${error.message}`) : null
      this.#pending.get(id)?.(failure, { partition: report.partition, offset: report.offset })
      this.#pending.delete(id)
    })
    // librdkafka reports broker trouble here and retries on its own; sends fail through their reports.
    this.#producer.on('event.error', () => undefined)
  }

  static async connect(brokers: string): Promise<TestProducer> {
    const producer = new TestProducer(brokers)
    await connect(producer.#producer)
    producer.#producer.setPollInterval(10)
    return producer
  }

  /** Resolves with where the broker stored the record. */
  send(topic: string, record: RawRecord): Promise<Delivered> {
    const id = this.#nextId++
    const value = typeof record.value === 'string' ? Buffer.from(record.value) : record.value
    const headers = record.headers && Object.entries(record.headers).map(([name, v]) => ({ [name]: v }))
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (error, delivered) => (error ? reject(error) : resolve(delivered!)))
      try {
        this.#producer.produce(topic, record.partition ?? null, value, record.key, Date.now(), id, headers)
      } catch (error) {
        this.#pending.delete(id)
        reject(error)
      }
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#producer.isConnected()) return resolve()
      this.#producer.disconnect(5_000, () => resolve())
    })
  }
}

/** A consumer that joins no group: for reading topics and asking about offsets. */
async function withReader<T>(brokers: string, use: (reader: rdkafka.KafkaConsumer) => Promise<T>) {
  const reader = await connect(
    new rdkafka.KafkaConsumer(
      {
        'bootstrap.servers': brokers,
        'group.id': uniqueName('test-reader'),
        'enable.auto.commit': false,
        'fetch.wait.max.ms': 50,
        'fetch.message.max.bytes': LARGEST_RECORD,
      },
      { 'auto.offset.reset': 'earliest' },
    ),
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

/** Headers of a node-rdkafka message as a plain object (the last value wins for a repeated name). */
export function headersOf(message: Message): Record<string, string> {
  return Object.fromEntries(
    (message.headers ?? []).flatMap((header) => Object.entries(header).map(([k, v]) => [k, String(v)])),
  )
}
