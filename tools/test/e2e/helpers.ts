import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  namespaced,
  type ProfileResponse,
  type RegisterUserRequest,
  type RegisterUserResponse,
  Topics,
} from '@kafka-ref/shared-contracts'
import Kafka from 'node-rdkafka'
import pg from 'pg'
import { afterEach } from 'vitest'
import { type ServiceName, ServiceProcess } from '../../src/system/service-process.ts'
import {
  createTestDatabase,
  createTestTopics,
  testKafkaBrokers,
  uniqueName,
  waitFor,
} from '../../src/testing/index.ts'
import { freePort } from '../../src/util/free-port.ts'
import { repoRoot } from '../../src/util/repo-root.ts'

export const PARTITIONS = 3

/** One test's world: its own topics (through the namespace) and its own two databases. */
export interface E2eWorld {
  brokers: string
  namespace: string
  topic: string
  deadLetterTopic: string
  userDatabaseUrl: string
  profileDatabaseUrl: string
}

export interface CreateWorldOptions {
  /** Default: the shared test broker. */
  brokers?: string
  /** Default true; false leaves creating them to the code under test (startSystem). */
  createTopics?: boolean
}

/** Creates the namespaced topics (3 partitions each) and one fresh database per service. */
export async function createWorld(options: CreateWorldOptions = {}): Promise<E2eWorld> {
  const brokers = options.brokers ?? testKafkaBrokers()
  const namespace = `${uniqueName('e2e')}-`
  const topic = namespaced(Topics.userRegister, namespace)
  const deadLetterTopic = namespaced(Topics.userRegisterDeadLetter, namespace)
  if (options.createTopics ?? true) {
    await createTestTopics(
      [
        { name: topic, partitions: PARTITIONS },
        { name: deadLetterTopic, partitions: PARTITIONS },
      ],
      brokers,
    )
  }
  const [userDatabaseUrl, profileDatabaseUrl] = await Promise.all([
    createTestDatabase('e2e_users'),
    createTestDatabase('e2e_profiles'),
  ])
  return { brokers, namespace, topic, deadLetterTopic, userDatabaseUrl, profileDatabaseUrl }
}

/** Environment both services get in these tests, on top of their URLs. */
export const TEST_SERVICE_ENV: Readonly<Record<string, string>> = {
  // The logs are part of what test 1 checks.
  LOG_LEVEL: 'info',
  // scrypt with N = 2^4: hashing cost is not what these tests measure, and 200 hashes at 2^17 take minutes.
  PASSWORD_HASH_COST: '4',
  // Every request comes from 127.0.0.1; the production limit would turn the bulk tests into 429s.
  REGISTER_RATE_LIMIT_MAX: '1000000',
  // The bulk tests send 200 registrations at once; the default bound (64 waiting hashes) is tested in
  // user-service, and here would turn some of them into 503s.
  PASSWORD_HASH_QUEUE_MAX: '1000',
}

export interface StartServiceOptions {
  label?: string
  env?: Record<string, string>
}

/**
 * Owns what a test starts (service processes, brokers, clients) and closes it all, last first,
 * after each test, whether it passed or not. On failure it prints the tail of every service's
 * log, since the services' own account is usually what explains a wrong count.
 */
export class Harness {
  readonly services: ServiceProcess[] = []
  readonly #cleanups: Array<() => Promise<unknown>> = []

  defer(cleanup: () => Promise<unknown>): void {
    this.#cleanups.push(cleanup)
  }

  /** Starts a service from its entry point, on a free port, against `world`. */
  async startService(world: E2eWorld, service: ServiceName, options: StartServiceOptions = {}) {
    const instance = new ServiceProcess({
      service,
      label: options.label,
      port: await freePort(),
      env: {
        ...TEST_SERVICE_ENV,
        DATABASE_URL: service === 'user-service' ? world.userDatabaseUrl : world.profileDatabaseUrl,
        KAFKA_BROKERS: world.brokers,
        KAFKA_TOPIC_NAMESPACE: world.namespace,
        ...options.env,
      },
    })
    this.track(instance)
    await instance.start()
    return instance
  }

  /** Makes a process started elsewhere (e.g. by startSystem) part of the clean-up and the failure report. */
  track(instance: ServiceProcess): void {
    this.services.push(instance)
    this.defer(() => instance.stop())
  }

  async close(failed: boolean): Promise<void> {
    if (failed) {
      for (const service of this.services) {
        console.error(`--- last log lines of ${service.label} ---\n${service.lines.slice(-40).join('\n')}`)
      }
    }
    const errors: unknown[] = []
    for (let cleanup = this.#cleanups.pop(); cleanup; cleanup = this.#cleanups.pop()) {
      await cleanup().catch((error: unknown) => errors.push(error))
    }
    this.services.length = 0
    if (errors.length > 0) throw new AggregateError(errors, 'e2e clean-up failed')
  }
}

/** A harness closed after each test of the calling file. */
export function useHarness(): Harness {
  const harness = new Harness()
  afterEach(async (context) => {
    await harness.close(context.task.result?.state === 'fail')
  })
  return harness
}

// --- HTTP --------------------------------------------------------------------------------------

export interface HttpResult<T> {
  status: number
  body: T
  headers: Headers
}

async function call<T>(url: string, init: RequestInit = {}): Promise<HttpResult<T>> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  }
}

export function register(
  userServiceUrl: string,
  request: RegisterUserRequest,
  requestId?: string,
): Promise<HttpResult<RegisterUserResponse>> {
  return call<RegisterUserResponse>(`${userServiceUrl}/user/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: JSON.stringify(request),
  })
}

export function getProfile(
  profileServiceUrl: string,
  userId: string,
  waitMs = 0,
): Promise<HttpResult<ProfileResponse>> {
  return call<ProfileResponse>(`${profileServiceUrl}/profile/${userId}?waitMs=${waitMs}`)
}

/** Distinct, valid registration bodies: `tag` keeps runs and tests apart (usernames are unique). */
export function userRequests(count: number, tag = randomBytes(3).toString('hex')): RegisterUserRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    email: `${tag}.${i}@e2e.example`,
    username: `u${tag}_${i}`,
    password: 'correct horse battery staple',
    ...(i % 2 === 0 ? { displayName: `User ${tag} ${i}` } : {}),
  }))
}

/**
 * Sends the registrations at a steady `perSecond` rate without waiting for earlier answers, so
 * events keep flowing for a known time while a test breaks something.
 */
export function registerPaced(
  userServiceUrl: string,
  requests: RegisterUserRequest[],
  perSecond: number,
): Promise<Array<HttpResult<RegisterUserResponse>>> {
  const start = Date.now()
  return Promise.all(
    requests.map(async (request, i) => {
      const due = start + (i * 1000) / perSecond
      await sleep(Math.max(0, due - Date.now()))
      return register(userServiceUrl, request)
    }),
  )
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

// --- Databases ---------------------------------------------------------------------------------

/** Sorted in JavaScript, so lists from two databases (and from HTTP) compare whatever the collation. */
export function sortedIds(ids: string[]): string[] {
  return [...ids].sort()
}

export interface ProfileCounts {
  profiles: number
  distinctUsers: number
  processedEvents: number
}

/**
 * Reads both services' databases directly: the fault tests judge the system by what it stored,
 * not by what it logged or answered.
 */
export class Databases {
  readonly users: pg.Pool
  readonly profiles: pg.Pool

  constructor(world: E2eWorld) {
    this.users = new pg.Pool({ connectionString: world.userDatabaseUrl, max: 2 })
    this.profiles = new pg.Pool({ connectionString: world.profileDatabaseUrl, max: 2 })
  }

  async userCount(): Promise<number> {
    return this.#count(this.users, 'select count(*)::int as n from users')
  }

  /** Outbox rows not yet acknowledged by Kafka. */
  async pendingOutbox(): Promise<number> {
    return this.#count(this.users, 'select count(*)::int as n from outbox where published_at is null')
  }

  async userIds(): Promise<string[]> {
    const { rows } = await this.users.query<{ id: string }>('select id from users')
    return sortedIds(rows.map((row) => row.id))
  }

  /** Ids of the events the user-service committed to its outbox (what must reach the profile-service). */
  async outboxEventIds(): Promise<string[]> {
    const { rows } = await this.users.query<{ id: string }>(`select value::jsonb->>'id' as id from outbox`)
    return sortedIds(rows.map((row) => row.id))
  }

  async profileCounts(): Promise<ProfileCounts> {
    const { rows } = await this.profiles.query<ProfileCounts>(
      `select (select count(*)::int from profiles) as profiles,
              (select count(distinct user_id)::int from profiles) as "distinctUsers",
              (select count(*)::int from processed_events) as "processedEvents"`,
    )
    return rows[0]!
  }

  async profileUserIds(): Promise<string[]> {
    const { rows } = await this.profiles.query<{ user_id: string }>('select user_id from profiles')
    return sortedIds(rows.map((row) => row.user_id))
  }

  async processedEventIds(): Promise<string[]> {
    const { rows } = await this.profiles.query<{ event_id: string }>('select event_id from processed_events')
    return sortedIds(rows.map((row) => row.event_id))
  }

  /**
   * Waits until at least `expected` profiles exist, then a little longer: a duplicate or a late
   * redelivery shows up as a count that is still moving. Returns the counts once stable.
   */
  async settledProfileCounts(expected: number, timeoutMs: number): Promise<ProfileCounts> {
    await waitFor(async () => (await this.profileCounts()).profiles >= expected, {
      timeoutMs,
      intervalMs: 200,
      description: `${expected} profiles`,
    })
    return waitFor(
      async () => {
        const before = await this.profileCounts()
        await sleep(1_000)
        const after = await this.profileCounts()
        return JSON.stringify(before) === JSON.stringify(after) && after
      },
      { timeoutMs: 15_000, intervalMs: 0, description: 'stable profile counts' },
    )
  }

  async close(): Promise<void> {
    await Promise.all([this.users.end(), this.profiles.end()])
  }

  async #count(pool: pg.Pool, query: string): Promise<number> {
    const { rows } = await pool.query<{ n: number }>(query)
    return rows[0]!.n
  }
}

// --- Kafka, as a client other than ours ----------------------------------------------------------

export interface Delivered {
  partition: number
  offset: number
}

/** A plain node-rdkafka producer: bytes in, nothing of our codec involved. */
export class RawProducer {
  readonly #producer: Kafka.Producer
  readonly #pending = new Map<number, (error: Error | null, delivered?: Delivered) => void>()
  #nextId = 0

  private constructor(brokers: string) {
    this.#producer = new Kafka.Producer(
      { 'bootstrap.servers': brokers, 'client.id': uniqueName('e2e-foreign-producer'), dr_cb: true },
      { acks: -1 },
    )
    this.#producer.on('delivery-report', (error, report) => {
      const id = report.opaque as number
      const failure = error ? new Error(`delivery failed: ${error.message}`) : null
      this.#pending.get(id)?.(failure, { partition: report.partition, offset: report.offset })
      this.#pending.delete(id)
    })
  }

  static async connect(brokers: string): Promise<RawProducer> {
    const producer = new RawProducer(brokers)
    await new Promise<void>((resolve, reject) =>
      producer.#producer.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())),
    )
    producer.#producer.setPollInterval(10)
    return producer
  }

  /** Resolves with where the broker stored the message. */
  send(topic: string, value: Buffer, key: string): Promise<Delivered> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (error, delivered) => (error ? reject(error) : resolve(delivered!)))
      try {
        this.#producer.produce(topic, null, value, key, Date.now(), id)
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

/** The value of a header as a string (node-rdkafka gives a list of one-key objects of Buffers). */
export function headerValue(message: Kafka.Message, name: string): string | undefined {
  const found = (message.headers ?? []).filter((header) => Object.hasOwn(header, name)).at(-1)
  return found === undefined ? undefined : String(found[name])
}

// --- Fixtures ------------------------------------------------------------------------------------

export interface FixtureVector {
  file: string
  ok: boolean
  reason?: string
  subject?: string
}

const FIXTURES_DIR = join(repoRoot(), 'shared-contracts', 'fixtures')

/** The golden vectors of the shared contracts, with each file's exact bytes. */
export async function fixtureVectors(): Promise<Array<FixtureVector & { bytes: Buffer }>> {
  const manifest = JSON.parse(await readFile(join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as {
    vectors: FixtureVector[]
  }
  return Promise.all(
    manifest.vectors.map(async (vector) => ({
      ...vector,
      bytes: await readFile(join(FIXTURES_DIR, vector.file)),
    })),
  )
}

// --- Logs --------------------------------------------------------------------------------------

/** The service's pino lines that parse as JSON objects. */
export function jsonLines(service: ServiceProcess): Array<Record<string, unknown>> {
  const parsed: Array<Record<string, unknown>> = []
  for (const line of service.lines) {
    if (!line.startsWith('{')) continue
    try {
      parsed.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      // a line that is not JSON
    }
  }
  return parsed
}
