import type { Env, ZodFastify } from '@kafka-ref/service-kit'
import { ConsumerGroups, DEFAULT_PARTITIONS, namespaced, systemTopics } from '@kafka-ref/shared-contracts'
import {
  createTestDatabase,
  createTestTopics,
  type Harness,
  IN_PROCESS_APP_ENV,
  LogCapture,
  TestProducer,
  testKafkaBrokers,
  uniqueName,
} from '@kafka-ref/testkit'
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { type BuildAppOptions, buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config.ts'
import type { Database } from '../src/db/schema.ts'

/** The partitions of the test topics. */
export const PARTITIONS = DEFAULT_PARTITIONS

/** What the group has committed on a partition where it committed nothing. */
export const NO_OFFSET = -1001

/** An app that serves HTTP only: the consumer is off, so no broker is ever contacted. */
export const httpOnlyEnv = (databaseUrl: string): Env => ({
  DATABASE_URL: databaseUrl,
  KAFKA_BROKERS: 'unused:9092',
  LOG_LEVEL: 'silent',
  CONSUMER_ENABLED: 'false',
  ...IN_PROCESS_APP_ENV,
})

export interface TestContext {
  env: Env
  brokers: string
  topic: string
  deadLetterTopic: string
  groupId: string
  databaseUrl: string
  /** Writes the topic as another client would; idempotent, so records of a partition keep their order. */
  producer: TestProducer
  /** A direct connection to the service's database, to check what is stored. */
  db: Kysely<Database>
}

/**
 * A fresh database and topic namespace (the topics are created up front, the dead-letter topic
 * unless `deadLetterTopic: false`), a producer and a database connection, all closed after the
 * test. `brokers`: a broker of the test's own (one it stops), instead of the shared one.
 */
export async function createTestContext(
  harness: Harness,
  {
    databaseUrl,
    brokers = testKafkaBrokers(),
    deadLetterTopic: withDeadLetterTopic = true,
  }: { databaseUrl?: string; brokers?: string; deadLetterTopic?: boolean } = {},
): Promise<TestContext> {
  const namespace = `${uniqueName('profile-service')}.`
  const topics = systemTopics(namespace, PARTITIONS)
  const topic = topics.userRegister.name
  const deadLetterTopic = topics.userRegisterDeadLetter.name
  await createTestTopics(withDeadLetterTopic ? Object.values(topics) : [topics.userRegister], brokers)
  const url = databaseUrl ?? (await createTestDatabase('profile_service'))
  return {
    env: {
      DATABASE_URL: url,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_NAMESPACE: namespace,
      LOG_LEVEL: 'debug',
      CONSUMER_RETRY_INITIAL_MS: '50',
      CONSUMER_RETRY_MAX_MS: '500',
      CONSUMER_POLL_TIMEOUT_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...IN_PROCESS_APP_ENV,
    },
    brokers,
    topic,
    deadLetterTopic,
    groupId: namespaced(ConsumerGroups.profileService, namespace),
    databaseUrl: url,
    producer: harness.track(await TestProducer.connect(brokers, { config: { 'enable.idempotence': true } })),
    db: harness.track(openTestDatabase(url), (db) => db.destroy()),
  }
}

/**
 * Builds the app from `env` the way server.ts does, with its logs captured, and makes it ready:
 * the consumer is then consuming (unless `CONSUMER_ENABLED=false`). Closed after the test.
 */
export async function startApp(
  harness: Harness,
  env: Env,
  { logs = new LogCapture(), deadLetterSettings }: { logs?: LogCapture } & BuildAppOptions = {},
): Promise<ZodFastify> {
  const app = harness.track(
    await buildApp(parseConfig(env), { logStream: logs.stream, deadLetterSettings }),
    (app) => app.close(),
  )
  await app.ready()
  return app
}

/** A pino line as the tests read it. */
export interface LogEntry {
  level: number
  msg: string
  err?: { message?: string }
  reason?: string
  [field: string]: unknown
}

export const logEntries = (logs: LogCapture): LogEntry[] =>
  logs.lines.map((line) => JSON.parse(line) as LogEntry)

export function openTestDatabase(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  // pool.end() resolves before its connections have closed, so a test that stops its own server
  // right after (database-outage) may have the server end one: without a listener that error is
  // thrown as an uncaught exception, which fails the whole run. A query that fails still fails.
  pool.on('error', () => undefined)
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
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
