import { namespaced, Topics } from '@kafka-ref/shared-contracts'
import { type ServiceName, ServiceProcess } from '../system/service-process.ts'
import { freePort } from '../util/free-port.ts'
import { Databases, type ServiceDatabaseUrls } from './databases.ts'
import type { Harness } from './harness.ts'
import { createTestDatabase, createTestTopics, testKafkaBrokers } from './shared-servers.ts'
import { uniqueName } from './unique-name.ts'

export const PARTITIONS = 3

/** One test's world: its own topics (through the namespace) and its own two databases. */
export interface TestWorld extends ServiceDatabaseUrls {
  brokers: string
  namespace: string
  topic: string
  deadLetterTopic: string
}

export interface CreateWorldOptions {
  /** Default: the shared test broker. */
  brokers?: string
  /** Default true; false leaves creating them to the code under test (startSystem). */
  createTopics?: boolean
}

/** Creates the namespaced topics (3 partitions each) and one fresh database per service. */
export async function createWorld(options: CreateWorldOptions = {}): Promise<TestWorld> {
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
  // The logs are part of what the register-flow test checks.
  LOG_LEVEL: 'info',
  // scrypt with N = 2^4: hashing cost is not what these tests measure, and 200 hashes at 2^17 take minutes.
  PASSWORD_HASH_COST: '4',
  // Every request comes from 127.0.0.1; the production limit would turn the bulk tests into 429s.
  REGISTER_RATE_LIMIT_MAX: '1000000',
  // Bulk registrations at once: the bounded hashing queue (tested in user-service) would answer 503.
  PASSWORD_HASH_QUEUE_MAX: '1000',
}

/**
 * Environment of an app a test builds in its own process and injects into: `GET /metrics` on the
 * app itself (no port of its own to bind), and readiness and the status metrics refreshed often,
 * so a test waits little for them.
 */
export const IN_PROCESS_APP_ENV: Readonly<Record<string, string>> = {
  METRICS_PORT: '0',
  STATUS_REFRESH_MS: '100',
}

export interface StartServiceOptions {
  label?: string
  env?: Record<string, string>
}

/** Starts a service from its entry point, on a free port, against `world`; the harness stops it. */
export async function startService(
  harness: Harness,
  world: TestWorld,
  service: ServiceName,
  options: StartServiceOptions = {},
): Promise<ServiceProcess> {
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
  trackService(harness, instance)
  await instance.start()
  return instance
}

/** Stops a service process after the test (also one started elsewhere) and shows its log if the test fails. */
export function trackService(harness: Harness, instance: ServiceProcess): void {
  harness.defer(() => instance.stop())
  harness.onFailure(
    () => `--- last log lines of ${instance.label} ---\n${instance.lines.slice(-40).join('\n')}`,
  )
}

export interface RunningWorld {
  world: TestWorld
  /** Reads both services' databases. */
  db: Databases
  userService: ServiceProcess
  profileService: ServiceProcess
}

/**
 * A world with one instance of each service running against it, and its databases open for
 * reading; the harness closes all of it.
 */
export async function startWorld(
  harness: Harness,
  options: CreateWorldOptions & { profileServiceLabel?: string } = {},
): Promise<RunningWorld> {
  const world = await createWorld(options)
  const db = harness.track(new Databases(world))
  const [userService, profileService] = await Promise.all([
    startService(harness, world, 'user-service'),
    startService(harness, world, 'profile-service', { label: options.profileServiceLabel }),
  ])
  return { world, db, userService, profileService }
}

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
