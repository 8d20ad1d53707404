import { systemTopics } from '@kafka-ref/shared-contracts'
import {
  createSystemTopics,
  type ServiceName,
  type ServiceProcess,
  type ServiceSpec,
  type SystemOptions,
  startSystem,
} from '@kafka-ref/system'
import { Databases, type ServiceDatabaseUrls } from './databases.ts'
import type { Harness } from './harness.ts'
import { createTestDatabase, testKafkaBrokers } from './shared-servers.ts'
import { uniqueName } from './unique-name.ts'

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

/** Creates the system's topics under a fresh namespace and one fresh database per service. */
export async function createWorld(options: CreateWorldOptions = {}): Promise<TestWorld> {
  const brokers = options.brokers ?? testKafkaBrokers()
  const namespace = `${uniqueName('e2e')}-`
  const topics = systemTopics(namespace)
  if (options.createTopics ?? true) await createSystemTopics(brokers, namespace)
  const [userDatabaseUrl, profileDatabaseUrl] = await Promise.all([
    createTestDatabase('e2e_users'),
    createTestDatabase('e2e_profiles'),
  ])
  return {
    brokers,
    namespace,
    topic: topics.userRegister.name,
    deadLetterTopic: topics.userRegisterDeadLetter.name,
    userDatabaseUrl,
    profileDatabaseUrl,
  }
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

/** startSystem's options for services against `world`: its broker, namespace and databases, the `test` preset. */
export function systemOptionsFor(
  world: TestWorld,
  services: Partial<Record<ServiceName, ServiceSpec>> = { 'user-service': {}, 'profile-service': {} },
): SystemOptions {
  const databaseUrls = { 'user-service': world.userDatabaseUrl, 'profile-service': world.profileDatabaseUrl }
  const specs: Partial<Record<ServiceName, ServiceSpec>> = {}
  for (const [name, spec] of Object.entries(services) as Array<[ServiceName, ServiceSpec]>) {
    specs[name] = { ...spec, databaseUrl: databaseUrls[name] }
  }
  return { kafka: { brokers: world.brokers }, namespace: world.namespace, preset: 'test', services: specs }
}

/** Starts services against `world` (topics made); the harness stops them and shows their logs if the test failed. */
function startServices(
  harness: Harness,
  world: TestWorld,
  services: Partial<Record<ServiceName, ServiceSpec>>,
) {
  return startSystem({
    ...systemOptionsFor(world, services),
    createTopics: false,
    onInstance: (instance) => trackService(harness, instance),
  })
}

/** Starts one instance of a service against `world`; the harness stops it. */
export async function startService(
  harness: Harness,
  world: TestWorld,
  service: ServiceName,
  options: StartServiceOptions = {},
): Promise<ServiceProcess> {
  const system = await startServices(harness, world, { [service]: options })
  return system.service(service).instances[0]!
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
  const system = await startServices(harness, world, {
    'user-service': {},
    'profile-service': { label: options.profileServiceLabel },
  })
  return {
    world,
    db,
    userService: system.service('user-service').instances[0]!,
    profileService: system.service('profile-service').instances[0]!,
  }
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
