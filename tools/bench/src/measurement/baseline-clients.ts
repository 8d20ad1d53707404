import { migrations, parseConfig } from '@kafka-ref/profile-service'
import { openDatabase } from '@kafka-ref/service-kit'
import { type EncodedMessage, encode } from '@kafka-ref/shared-contracts'
import {
  connectClient,
  disconnectClient,
  TestConsumer,
  TestProducer,
  userRegisterEvent,
} from '@kafka-ref/testkit/clients'
import { producerSettings } from '@kafka-ref/user-service'
import { Producer, stringSerializers } from '@platformatic/kafka'
import rdkafka, { type ConsumerGlobalConfig, type Message } from 'node-rdkafka'
import pg from 'pg'

/** Real `user_register` messages, encoded by the contracts, for made-up users. */
export function userRegisterMessages(count: number, prefix: string): EncodedMessage[] {
  return Array.from({ length: count }, (_, index) => encode(userRegisterEvent(prefix, index)))
}

/**
 * The client and settings of user-service's producer (its exported `producerSettings`): the
 * baseline of the outbox and end-to-end figures must differ from the service only by the service.
 */
export function serviceLikeProducer(brokers: string) {
  return new Producer({
    clientId: 'bench-producer',
    bootstrapBrokers: [brokers],
    serializers: stringSerializers,
    ...producerSettings,
  })
}

/** Fills a topic as fast as librdkafka batches (the set-up, not a measured figure). */
export async function fillTopic(brokers: string, topic: string, messages: EncodedMessage[]): Promise<void> {
  const producer = await TestProducer.connect(brokers, {
    config: {
      'enable.idempotence': true,
      'linger.ms': 20,
      'batch.num.messages': 10_000,
      'queue.buffering.max.messages': messages.length + 1000,
    },
  })
  try {
    await producer.sendAll(topic, messages)
  } finally {
    await producer.close()
  }
}

/** profile-service's consumer settings with their defaults (src/config.ts), as the service parses them. */
export const SERVICE_CONSUMER = parseConfig({
  DATABASE_URL: 'postgres://unused/unused',
  KAFKA_BROKERS: 'unused:9092',
}).consumer

/**
 * profile-service's librdkafka settings (src/kafka/consumer-client.ts): non-flowing consume(n),
 * manual commits, partition EOF, its fetch wait.
 */
const PROFILE_SERVICE_SETTINGS = {
  'enable.auto.offset.store': false,
  'partition.assignment.strategy': 'cooperative-sticky',
  'enable.partition.eof': true,
  'fetch.wait.max.ms': SERVICE_CONSUMER.fetchWaitMaxMs,
} satisfies ConsumerGlobalConfig

/** The raw consumer of the baselines: node-rdkafka with profile-service's settings, doing no work. */
export function connectRawConsumer(brokers: string, groupId: string, topic: string): Promise<TestConsumer> {
  return TestConsumer.connect(brokers, topic, {
    groupId,
    config: PROFILE_SERVICE_SETTINGS,
    pollTimeoutMs: SERVICE_CONSUMER.pollTimeoutMs,
    batchSize: SERVICE_CONSUMER.batchSize,
  })
}

/**
 * The least a durable consumer of `user_register` does, without any framework: node-rdkafka
 * consume(n) with profile-service's settings, JSON.parse of each value (no validation), then per
 * polled batch one PostgreSQL transaction on one connection: the event ids into processed_events,
 * the profiles upserted, a pg_notify per profile, each one multi-row statement (unnest), and after
 * COMMIT an asynchronous commit of the offsets after the batch. It handles no duplicate, no
 * failure, no rebalance and no poison message: what the service does beyond it is the price of those.
 */
export async function consumeDurably(
  brokers: string,
  groupId: string,
  topic: string,
  databaseUrl: string,
  count: number,
  onBatch: (messages: Message[]) => void,
  timeoutMs = 300_000,
): Promise<void> {
  const consumer = await connectClient(
    new rdkafka.KafkaConsumer(
      {
        'bootstrap.servers': brokers,
        'group.id': groupId,
        'enable.auto.commit': false,
        'fetch.message.max.bytes': SERVICE_CONSUMER.messageMaxBytes,
        ...PROFILE_SERVICE_SETTINGS,
      },
      { 'auto.offset.reset': 'earliest' },
    ),
  )
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    consumer.setDefaultConsumeTimeout(SERVICE_CONSUMER.pollTimeoutMs)
    consumer.subscribe([topic])
    let received = 0
    const deadline = Date.now() + timeoutMs
    while (received < count) {
      if (Date.now() > deadline) throw new Error(`durable consumer stored ${received} of ${count} messages`)
      const messages = await new Promise<Message[]>((resolve, reject) =>
        consumer.consume(SERVICE_CONSUMER.batchSize, (error, batch) =>
          error ? reject(error) : resolve(batch),
        ),
      )
      if (messages.length === 0) continue
      await storeDurably(db, messages)
      const next = new Map<string, { topic: string; partition: number; offset: number }>()
      for (const { topic, partition, offset } of messages)
        next.set(`${topic}/${partition}`, { topic, partition, offset: offset + 1 })
      consumer.commit([...next.values()])
      received += messages.length
      onBatch(messages)
    }
  } finally {
    await db.end()
    await disconnectClient(consumer)
  }
}

/** Gives a fresh database profile-service's schema, as the service would migrate it. */
export async function migrateProfileDatabase(databaseUrl: string): Promise<void> {
  await (await openDatabase({ connectionString: databaseUrl, poolMax: 1, migrations })).destroy()
}

interface StoredEvent {
  id: string
  data: { userId: string; username: string; displayName?: string }
}

async function storeDurably(db: pg.Client, messages: Message[]): Promise<void> {
  const events = messages.map((message) => JSON.parse(message.value!.toString()) as StoredEvent)
  const userIds = events.map((event) => event.data.userId)
  await db.query('begin')
  try {
    await db.query(
      'insert into processed_events (event_id) select * from unnest($1::uuid[]) on conflict do nothing',
      [events.map((event) => event.id)],
    )
    await db.query(
      `insert into profiles (user_id, username, display_name)
       select * from unnest($1::uuid[], $2::text[], $3::text[])
       on conflict (user_id) do update set username = excluded.username,
         display_name = excluded.display_name, updated_at = now()`,
      [
        userIds,
        events.map((event) => event.data.username),
        events.map((event) => event.data.displayName ?? event.data.username),
      ],
    )
    await db.query("select pg_notify('profile_created', user_id) from unnest($1::text[]) as user_id", [
      userIds,
    ])
    await db.query('commit')
  } catch (error) {
    await db.query('rollback')
    throw error
  }
}

/** Polls until `count` messages arrived; `onBatch` sees each batch as its consume() call returns. */
export async function consumeBatches(
  consumer: TestConsumer,
  count: number,
  onBatch: (messages: Message[]) => void,
  timeoutMs = 300_000,
): Promise<void> {
  let received = 0
  const deadline = Date.now() + timeoutMs
  while (received < count) {
    if (Date.now() > deadline) throw new Error(`raw consumer got ${received} of ${count} messages`)
    const messages = await consumer.poll()
    received += messages.length
    if (messages.length > 0) onBatch(messages)
  }
}
