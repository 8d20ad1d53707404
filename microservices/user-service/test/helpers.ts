import { randomUUID } from 'node:crypto'
import type { Env, ZodFastify } from '@kafka-ref/service-kit'
import {
  createUserRegisterEvent,
  decode,
  encode,
  type KnownEvent,
  type RegisterUserRequest,
  systemTopics,
} from '@kafka-ref/shared-contracts'
import {
  createTestDatabase,
  createTestTopics,
  headersOf,
  IN_PROCESS_APP_ENV,
  LogCapture,
  type TestConsumer,
  testKafkaBrokers,
  uniqueName,
} from '@kafka-ref/testkit'
import type { Message } from 'node-rdkafka'
import { buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config.ts'
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
  const { userRegister } = systemTopics(namespace)
  const topic = userRegister.name
  if (topics) await createTestTopics([userRegister], brokers)
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
    ...IN_PROCESS_APP_ENV,
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
 * Reads from the toolkit's consumer until it has taken `count` messages in all (then `settleMs`
 * longer, so one too many shows up), and returns every message it took so far, decoded with the
 * contracts' codec. Fails if a message does not decode.
 */
export async function readEvents(
  consumer: TestConsumer,
  count: number,
  { timeoutMs = 30_000, settleMs = 2000 } = {},
): Promise<ReceivedEvent[]> {
  await consumer.take(Math.max(0, count - consumer.received.length), { timeoutMs, settleMs })
  return consumer.received.map(toReceived)
}

function toReceived(message: Message): ReceivedEvent {
  const decoded = decode({ value: message.value })
  if (!decoded.ok)
    throw new Error(`event at offset ${message.offset} does not decode: ${decoded.error.message}`)
  return {
    key: message.key?.toString() ?? '',
    partition: message.partition,
    offset: message.offset,
    headers: headersOf(message),
    raw: message.value?.toString('utf8') ?? '',
    event: decoded.event,
  }
}
