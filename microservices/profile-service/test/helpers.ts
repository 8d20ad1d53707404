import { randomUUID } from 'node:crypto'
import type { ZodFastify } from '@kafka-ref/service-kit'
import {
  ConsumerGroups,
  createUserRegisterEvent,
  encode,
  namespaced,
  Topics,
  type UserRegisterEventV1,
} from '@kafka-ref/shared-contracts'
import {
  createTestDatabase,
  createTestTopics,
  LogCapture,
  testKafkaBrokers,
  uniqueName,
} from '@kafka-ref/tools/testing'
import {
  Admin,
  ConfigResourceTypes,
  IncrementalAlterConfigOperationTypes,
  Producer,
  stringSerializers,
} from '@platformatic/kafka'
import { Kysely, PostgresDialect } from 'kysely'
import rdkafka, { type Message } from 'node-rdkafka'
import pg from 'pg'
import { afterEach } from 'vitest'
import { type BuildAppOptions, buildApp } from '../src/app.ts'
import { type Env, parseConfig } from '../src/config.ts'
import type { Database } from '../src/db/schema.ts'

/**
 * Registers cleanups that run after each test, last first, even when the test failed, so no
 * consumer, producer, app or pool outlives its test.
 */
export function useCleanup() {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    const errors: unknown[] = []
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
      await cleanup().catch((error) => errors.push(error))
    }
    if (errors.length) throw errors[0]
  })
  return <T>(resource: T, close: (resource: T) => Promise<unknown>): T => {
    cleanups.push(() => close(resource))
    return resource
  }
}

export interface TestContext {
  env: Env
  brokers: string
  topic: string
  deadLetterTopic: string
  groupId: string
  databaseUrl: string
}

/** A fresh database and topic namespace; the topics (3 partitions each) are created up front. */
export async function createTestContext({
  brokers = testKafkaBrokers(),
  databaseUrl,
}: {
  brokers?: string
  databaseUrl?: string
} = {}): Promise<TestContext> {
  const namespace = `${uniqueName('profile-service')}.`
  const topic = namespaced(Topics.userRegister, namespace)
  const deadLetterTopic = namespaced(Topics.userRegisterDeadLetter, namespace)
  await createTestTopics(
    [
      { name: topic, partitions: 3 },
      { name: deadLetterTopic, partitions: 3 },
    ],
    brokers,
  )
  const url = databaseUrl ?? (await createTestDatabase('profile_service'))
  const env: Env = {
    DATABASE_URL: url,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_NAMESPACE: namespace,
    LOG_LEVEL: 'debug',
    CONSUMER_RETRY_INITIAL_MS: '50',
    CONSUMER_RETRY_MAX_MS: '500',
    CONSUMER_POLL_TIMEOUT_MS: '200',
    SHUTDOWN_TIMEOUT_MS: '10000',
  }
  return {
    env,
    brokers,
    topic,
    deadLetterTopic,
    groupId: namespaced(ConsumerGroups.profileService, namespace),
    databaseUrl: url,
  }
}

/** Builds the app the way server.ts does, with its logs captured; `consume` also starts the consumer. */
export async function startApp(
  env: Env,
  {
    consume = true,
    logs = new LogCapture(),
    deadLetterSettings,
  }: {
    consume?: boolean
    logs?: LogCapture
    deadLetterSettings?: BuildAppOptions['deadLetterSettings']
  } = {},
): Promise<ZodFastify> {
  const app = await buildApp(parseConfig(env), {
    logStream: logs.stream,
    consumer: consume,
    deadLetterSettings,
  })
  try {
    await app.ready()
    if (consume) await app.startConsumer()
  } catch (error) {
    await app.close()
    throw error
  }
  return app
}

let counter = 0
export function userRegisterEvent(overrides: { displayName?: string } = {}): UserRegisterEventV1 {
  counter += 1
  const suffix = `${Date.now().toString(36)}${counter}`
  return createUserRegisterEvent(
    {
      userId: randomUUID(),
      email: `user_${suffix}@example.org`,
      username: `user_${suffix}`,
      registeredAt: new Date().toISOString(),
      ...overrides,
    },
    { correlationId: `test-${suffix}` },
  )
}

export interface RawRecord {
  key: string
  value: string
  headers?: Record<string, string>
  partition?: number
}

/** Produces test messages with another client than the service's, as a real producer would. */
export function createTestProducer(brokers: string) {
  const producer = new Producer({
    clientId: 'profile-service-test',
    bootstrapBrokers: brokers.split(','),
    serializers: stringSerializers,
    autocreateTopics: false,
  })
  return {
    async sendRaw(topic: string, records: RawRecord[]) {
      await producer.send({ messages: records.map((record) => ({ topic, ...record })) })
    },
    async sendEvents(topic: string, events: UserRegisterEventV1[], partition?: number) {
      await this.sendRaw(
        topic,
        events.map((event) => ({ ...encode(event), ...(partition === undefined ? {} : { partition }) })),
      )
    },
    close: () => producer.close(),
  }
}
export type TestProducer = ReturnType<typeof createTestProducer>

function connect<T extends rdkafka.Client<string>>(client: T): Promise<T> {
  return new Promise((resolve, reject) =>
    client.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve(client))),
  )
}

function disconnect(client: rdkafka.Client<string>): Promise<void> {
  return new Promise((resolve) => client.disconnect(() => resolve()))
}

/** The group's committed offsets (next offset to read) per partition; -1001 means none. */
export async function committedOffsets(
  brokers: string,
  groupId: string,
  topic: string,
  partitions = 3,
): Promise<number[]> {
  const client = await connect(
    new rdkafka.KafkaConsumer({ 'metadata.broker.list': brokers, 'group.id': groupId }, {}),
  )
  try {
    const list = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
    const committed = await new Promise<rdkafka.TopicPartitionOffset[]>((resolve, reject) =>
      client.committed(list, 10_000, (error, offsets) => (error ? reject(error) : resolve(offsets))),
    )
    return committed.sort((a, b) => a.partition - b.partition).map((tp) => tp.offset ?? -1001)
  } finally {
    await disconnect(client)
  }
}

/** Reads `count` messages from the start of every partition of `topic` (no group, nothing committed). */
export async function readMessages(brokers: string, topic: string, count: number, partitions = 3) {
  const client = await connect(
    new rdkafka.KafkaConsumer(
      { 'metadata.broker.list': brokers, 'group.id': uniqueName('reader'), 'enable.auto.commit': false },
      {},
    ),
  )
  try {
    client.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })))
    client.setDefaultConsumeTimeout(200)
    const messages: Message[] = []
    const deadline = Date.now() + 15_000
    while (messages.length < count && Date.now() < deadline) {
      messages.push(
        ...(await new Promise<Message[]>((resolve, reject) =>
          client.consume(100, (error, batch) => (error ? reject(error) : resolve(batch))),
        )),
      )
    }
    return messages
  } finally {
    await disconnect(client)
  }
}

/** Headers of a node-rdkafka message as a plain object. */
export function headersOf(message: Message): Record<string, string> {
  return Object.fromEntries(
    (message.headers ?? []).flatMap((header) => Object.entries(header).map(([k, v]) => [k, v.toString()])),
  )
}

/** A direct connection to the service's database, to check what is stored. */
export function openTestDatabase(url: string): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  })
}

export async function countRows(db: Kysely<Database>) {
  const profiles = await db
    .selectFrom('profiles')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  const events = await db
    .selectFrom('processed_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return { profiles: Number(profiles.n), events: Number(events.n) }
}

/** Sets one configuration of a topic on the broker (e.g. a smaller `max.message.bytes`). */
export async function setTopicConfig(brokers: string, topic: string, name: string, value: string) {
  const admin = new Admin({ clientId: 'profile-service-test', bootstrapBrokers: brokers.split(',') })
  try {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [{ name, configOperation: IncrementalAlterConfigOperationTypes.SET, value }],
        },
      ],
    })
  } finally {
    await admin.close()
  }
}
