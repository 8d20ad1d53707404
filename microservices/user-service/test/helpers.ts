import { randomUUID } from 'node:crypto'
import type { ZodFastify } from '@kafka-ref/service-kit'
import {
  createUserRegisterEvent,
  decode,
  encode,
  type KnownEvent,
  namespaced,
  type RegisterUserRequest,
  Topics,
} from '@kafka-ref/shared-contracts'
import {
  createTestDatabase,
  createTestTopics,
  LogCapture,
  testKafkaBrokers,
  uniqueName,
} from '@kafka-ref/tools/testing'
import Kafka from 'node-rdkafka'
import { buildApp } from '../src/app.ts'
import { type Env, parseConfig } from '../src/config.ts'
import type { OutboxMessage } from '../src/outbox/outbox-repository.ts'

/** What one integration test file needs: its own database and its own topic namespace. */

export interface TestContext {
  env: Env
  topic: string
  brokers: string
}

/** A fresh database and namespace; with `topics: true` also creates the namespaced topic (3 partitions). */
export async function createTestContext({ topics = false, brokers = testKafkaBrokers() } = {}) {
  const namespace = `${uniqueName('user-service')}.`
  const topic = namespaced(Topics.userRegister, namespace)
  if (topics) await createTestTopics([{ name: topic, partitions: 3 }], brokers)
  const env: Env = {
    DATABASE_URL: await createTestDatabase('user_service'),
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_NAMESPACE: namespace,
    LOG_LEVEL: 'debug',
    // 2^4 instead of 2^17: the format and code path are the same, the test suite stays fast.
    PASSWORD_HASH_COST: '4',
    OUTBOX_ENABLED: 'false',
    OUTBOX_POLL_INTERVAL_MS: '250',
    REGISTER_RATE_LIMIT_MAX: '10000',
  }
  return { env, topic, brokers } satisfies TestContext
}

/** Builds the app from an environment, the way server.ts does, with its logs captured. */
export async function startApp(env: Env, logs = new LogCapture()): Promise<ZodFastify> {
  const app = await buildApp(parseConfig(env), { logStream: logs.stream })
  await app.ready()
  return app
}

let counter = 0
export function registration(overrides: Partial<RegisterUserRequest> = {}): RegisterUserRequest {
  counter += 1
  const id = `${Date.now().toString(36)}${counter}`
  return {
    email: `user_${id}@example.org`,
    username: `user_${id}`,
    password: `correct horse battery ${id}`,
    displayName: `User ${counter}`,
    ...overrides,
  }
}

export async function register(app: ZodFastify, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/user/register', payload: body as object, headers })
}

/** An encoded user_register event for `topic`, as the outbox stores it, without registering anyone. */
export function outboxMessage(topic: string, userId: string = randomUUID()): OutboxMessage {
  const event = createUserRegisterEvent(
    {
      userId,
      email: `${userId}@example.org`,
      username: `u${userId.slice(0, 8)}`,
      registeredAt: new Date().toISOString(),
    },
    { correlationId: randomUUID() },
  )
  return { topic, ...encode(event) }
}

export interface ReceivedEvent {
  key: string
  partition: number
  offset: number
  headers: Record<string, string>
  raw: string
  event: KnownEvent
}

/**
 * An independent consumer (node-rdkafka, not the client the service uses) reading one topic
 * from the beginning. It uses the non-flowing consume(n) API: flowing mode sleeps when idle.
 */
export class TestConsumer {
  readonly received: ReceivedEvent[] = []
  readonly #consumer: Kafka.KafkaConsumer

  private constructor(consumer: Kafka.KafkaConsumer) {
    this.#consumer = consumer
  }

  static async connect(brokers: string, topic: string): Promise<TestConsumer> {
    const consumer = new Kafka.KafkaConsumer(
      {
        'bootstrap.servers': brokers,
        'group.id': uniqueName('user-service-test'),
        'enable.auto.commit': false,
        'allow.auto.create.topics': false,
      },
      { 'auto.offset.reset': 'earliest' },
    )
    consumer.setDefaultConsumeTimeout(200)
    await new Promise<void>((resolve, reject) => {
      consumer.connect({ timeout: 20_000 }, (error) => (error ? reject(error) : resolve()))
    })
    consumer.subscribe([topic])
    return new TestConsumer(consumer)
  }

  #poll(): Promise<Kafka.Message[]> {
    return new Promise((resolve, reject) => {
      this.#consumer.consume(100, (error, messages) => (error ? reject(error) : resolve(messages)))
    })
  }

  /**
   * Reads until `count` events arrived, then keeps reading for `settleMs` so that an extra
   * (duplicate) event would be seen too. Fails if a message does not decode.
   */
  async readExactly(count: number, { timeoutMs = 30_000, settleMs = 2000 } = {}): Promise<ReceivedEvent[]> {
    const deadline = Date.now() + timeoutMs
    let settleUntil: number | undefined
    for (;;) {
      for (const message of await this.#poll()) this.received.push(toReceived(message))
      if (settleUntil === undefined && this.received.length >= count) settleUntil = Date.now() + settleMs
      if (settleUntil !== undefined && Date.now() >= settleUntil) return this.received
      if (Date.now() >= deadline) return this.received
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#consumer.disconnect(() => resolve())
    })
  }
}

function toReceived(message: Kafka.Message): ReceivedEvent {
  const raw = message.value?.toString('utf8') ?? ''
  const decoded = decode({ value: message.value })
  if (!decoded.ok)
    throw new Error(`event at offset ${message.offset} does not decode: ${decoded.error.message}`)
  const headers: Record<string, string> = {}
  for (const header of message.headers ?? []) {
    for (const [name, value] of Object.entries(header)) headers[name] = value.toString()
  }
  return {
    key: message.key?.toString() ?? '',
    partition: message.partition,
    offset: message.offset,
    headers,
    raw,
    event: decoded.event,
  }
}
