import { randomUUID } from 'node:crypto'
import { createUserRegisterEvent, type EncodedMessage, encode } from '@kafka-ref/shared-contracts'
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka'
import rdkafka from 'node-rdkafka'
import { createAdmin } from '../kafka/admin.ts'

/** Real `user_register` messages, encoded by the contracts, for made-up users. */
export function userRegisterMessages(count: number, prefix: string): EncodedMessage[] {
  const registeredAt = new Date().toISOString()
  return Array.from({ length: count }, (_, index) => {
    const userId = randomUUID()
    const name = `${prefix}_${index}`
    const event = createUserRegisterEvent(
      { userId, email: `${name}@bench.example.com`, username: name, registeredAt },
      { correlationId: randomUUID() },
    )
    return encode(event)
  })
}

/**
 * The client and settings of user-service's producer (src/kafka/producer-plugin.ts): the
 * baseline of the outbox and end-to-end figures must differ from the service only by the service.
 */
export function serviceLikeProducer(brokers: string) {
  return new Producer({
    clientId: 'bench-producer',
    bootstrapBrokers: [brokers],
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    retries: 3,
    retryDelay: 250,
    timeout: 5000,
    connectTimeout: 3000,
  })
}

const headerList = (headers: Record<string, string>) =>
  Object.entries(headers).map(([key, value]) => ({ [key]: value }))

/** Fills a topic as fast as librdkafka batches (the set-up, not a measured figure). */
export async function fillTopic(brokers: string, topic: string, messages: EncodedMessage[]): Promise<void> {
  const producer = new rdkafka.Producer({
    'bootstrap.servers': brokers,
    'enable.idempotence': true,
    'linger.ms': 20,
    'batch.num.messages': 10_000,
    'queue.buffering.max.messages': messages.length + 1000,
  })
  await new Promise<void>((resolve, reject) =>
    producer.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())),
  )
  try {
    for (const message of messages) {
      producer.produce(
        topic,
        null,
        Buffer.from(message.value),
        message.key,
        Date.now(),
        undefined,
        headerList(message.headers),
      )
    }
    await new Promise<void>((resolve, reject) =>
      producer.flush(60_000, (error) => (error ? reject(error) : resolve())),
    )
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()))
  }
}

export interface RawConsumerOptions {
  brokers: string
  groupId: string
  topic: string
  /** consume(n) batch size: profile-service's CONSUMER_BATCH_SIZE default. */
  batchSize?: number
}

/**
 * A node-rdkafka consumer with profile-service's settings (src/consumer/profile-consumer.ts):
 * non-flowing consume(n), manual commits, partition EOF, fetch.wait.max.ms 10, poll timeout 500.
 */
export async function connectRawConsumer(options: RawConsumerOptions) {
  const consumer = new rdkafka.KafkaConsumer(
    {
      'bootstrap.servers': options.brokers,
      'group.id': options.groupId,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'partition.assignment.strategy': 'cooperative-sticky',
      'enable.partition.eof': true,
      'fetch.wait.max.ms': 10,
    },
    { 'auto.offset.reset': 'earliest' },
  )
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())),
  )
  consumer.setDefaultConsumeTimeout(500)
  consumer.subscribe([options.topic])
  const batchSize = options.batchSize ?? 100
  const poll = () =>
    new Promise<rdkafka.Message[]>((resolve, reject) =>
      consumer.consume(batchSize, (error, messages) => (error ? reject(error) : resolve(messages))),
    )
  return {
    /** Reads until `count` messages arrived (or `stop()` returns true); `onBatch` sees each batch. */
    async consume(count: number, onBatch: (messages: rdkafka.Message[]) => void, timeoutMs = 300_000) {
      let received = 0
      const deadline = Date.now() + timeoutMs
      while (received < count) {
        if (Date.now() > deadline) throw new Error(`raw consumer got ${received} of ${count} messages`)
        const messages = await poll()
        received += messages.length
        if (messages.length > 0) onBatch(messages)
      }
    },
    /** True once the group gave this consumer `partitions` partitions. */
    assigned: (partitions: number) => consumer.assignments().length >= partitions,
    close: () => new Promise<void>((resolve) => consumer.disconnect(() => resolve())),
  }
}

/** Sum of the partitions' end offsets: how many records the topic holds (none are deleted here). */
export async function topicSize(brokers: string, topic: string, partitions: number): Promise<number> {
  const admin = createAdmin(brokers, 10_000)
  try {
    const [listed] = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
            partitionIndex,
            timestamp: -1n,
          })),
        },
      ],
    })
    return (listed?.partitions ?? []).reduce((sum, partition) => sum + Number(partition.offset), 0)
  } finally {
    await admin.close().catch(() => undefined)
  }
}
