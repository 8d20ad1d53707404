import { join } from 'node:path'
import {
  createDatabase,
  createTopics,
  type LocalKafka,
  type LocalPostgres,
  repoRoot,
  startKafka,
  startPostgres,
} from '@kafka-ref/local-servers'
import { ConsumerGroups, namespaced, Topics } from '@kafka-ref/shared-contracts'
import { ServiceProcess } from './service-process.ts'

export interface SystemOptions {
  /** Use this cluster instead of starting a local broker. */
  kafkaBrokers?: string
  /** Use these databases instead of starting a local PostgreSQL server. */
  userDatabaseUrl?: string
  profileDatabaseUrl?: string
  /** Folder for the local broker's and server's data (kept across runs). Default `<repo>/.data`. */
  dataDir?: string
  kafkaPort?: number
  postgresPort?: number
  userServicePort?: number
  profileServicePort?: number
  /** Partitions of the user_register topic. */
  partitions?: number
  namespace?: string
  /** Extra environment for both services (LOG_LEVEL, CORS_ORIGINS, ...). */
  env?: Record<string, string>
  onLine?: (line: string, label: string) => void
  onStep?: (message: string) => void
  /** Aborting stops start-up between steps and cleans up what was started. */
  signal?: AbortSignal
}

export interface RunningSystem {
  kafka: LocalKafka | undefined
  postgres: LocalPostgres | undefined
  kafkaBrokers: string
  userService: ServiceProcess
  profileService: ServiceProcess
  stop(): Promise<void>
}

/**
 * Brings the whole system up the way an operator would: broker and PostgreSQL (local ones unless
 * given), topics through the admin API, one database per service, then both services from their
 * entry points. Stops in reverse order.
 */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const step = options.onStep ?? (() => undefined)
  const dataDir = options.dataDir ?? join(repoRoot(), '.data')
  const stack: Array<() => Promise<void>> = []
  const stop = async () => {
    // Last started, first stopped: services before the servers they use.
    for (let close = stack.pop(); close; close = stack.pop()) await close().catch(() => undefined)
  }
  const checkpoint = () => options.signal?.throwIfAborted()
  try {
    let kafka: LocalKafka | undefined
    let kafkaBrokers = options.kafkaBrokers
    if (!kafkaBrokers) {
      step('starting Apache Kafka (local broker)...')
      kafka = await startKafka({
        dataDir: join(dataDir, 'kafka'),
        port: options.kafkaPort,
        controllerPort: options.kafkaPort && options.kafkaPort + 1,
      })
      stack.push(() => kafka!.stop())
      kafkaBrokers = kafka.bootstrapServers
      step(`Kafka ${kafka.version} ready at ${kafkaBrokers}`)
    }
    checkpoint()
    const namespace = options.namespace ?? ''
    const partitions = options.partitions ?? 3
    await createTopics(kafkaBrokers, [
      { name: namespaced(Topics.userRegister, namespace), partitions },
      { name: namespaced(Topics.userRegisterDeadLetter, namespace), partitions },
    ])
    step(
      `topics ready: ${namespaced(Topics.userRegister, namespace)} (${partitions} partitions) and its dead-letter topic`,
    )

    checkpoint()
    let postgres: LocalPostgres | undefined
    let { userDatabaseUrl, profileDatabaseUrl } = options
    if (!userDatabaseUrl || !profileDatabaseUrl) {
      step('starting PostgreSQL (local server)...')
      postgres = await startPostgres({
        dataDir: join(dataDir, 'postgres'),
        port: options.postgresPort,
        persistent: true,
      })
      stack.push(() => postgres!.stop())
      userDatabaseUrl ??= await createDatabase(postgres.url, 'users')
      profileDatabaseUrl ??= await createDatabase(postgres.url, 'profiles')
      step(`PostgreSQL ${postgres.version} ready on port ${postgres.port}`)
    }

    checkpoint()
    const common = { KAFKA_BROKERS: kafkaBrokers, KAFKA_TOPIC_NAMESPACE: namespace, ...options.env }
    const userService = new ServiceProcess({
      service: 'user-service',
      port: options.userServicePort ?? 3001,
      env: { ...common, DATABASE_URL: userDatabaseUrl },
      onLine: options.onLine,
    })
    const profileService = new ServiceProcess({
      service: 'profile-service',
      port: options.profileServicePort ?? 3002,
      env: { ...common, DATABASE_URL: profileDatabaseUrl },
      onLine: options.onLine,
    })
    step('starting user-service and profile-service...')
    stack.push(
      () => userService.stop(),
      () => profileService.stop(),
    )
    await Promise.all([
      userService.start(90_000, options.signal),
      profileService.start(90_000, options.signal),
    ])
    step(`consumer group: ${namespaced(ConsumerGroups.profileService, namespace)}`)
    return { kafka, postgres, kafkaBrokers, userService, profileService, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
