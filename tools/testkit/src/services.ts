import { systemTopics } from '@kafka-ref/shared-contracts'
import {
  createSystemTopics,
  type ServiceName,
  type ServiceProcess,
  type ServiceSpec,
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

export interface StartServiceOptions {
  label?: string
  env?: Record<string, string>
}

/**
 * Starts services from their entry points (startSystem, `test` preset), on free ports, against
 * `world`; the harness stops them after the test and shows their logs if it failed.
 */
async function startServices(
  harness: Harness,
  world: TestWorld,
  services: Partial<Record<ServiceName, StartServiceOptions>>,
) {
  const specs: Partial<Record<ServiceName, ServiceSpec>> = {}
  for (const [name, options] of Object.entries(services) as Array<[ServiceName, StartServiceOptions]>) {
    const databaseUrl = name === 'user-service' ? world.userDatabaseUrl : world.profileDatabaseUrl
    specs[name] = { ...options, databaseUrl }
  }
  return startSystem({
    kafka: { brokers: world.brokers },
    namespace: world.namespace,
    createTopics: false,
    preset: 'test',
    services: specs,
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
