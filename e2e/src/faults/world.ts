import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTopics,
  freePort,
  type LocalKafka,
  type LocalPostgres,
  startKafka,
  startPostgres,
} from '@kafka-ref/local-servers'
import { ConsumerGroups, namespaced, Topics } from '@kafka-ref/shared-contracts'
import { type ServiceName, ServiceProcess } from '@kafka-ref/system'

export const PARTITIONS = 3

/** Both services' settings in the fault run, beside their defaults. */
const SERVICE_ENV: Record<ServiceName, Record<string, string>> = {
  'user-service': {
    LOG_LEVEL: 'warn',
    // Hashing cost is not what this run is about; every request comes from 127.0.0.1.
    PASSWORD_HASH_COST: '4',
    REGISTER_RATE_LIMIT_MAX: '1000000',
    // Bulk registrations at once: the bounded hashing queue (tested in user-service) would answer 503.
    PASSWORD_HASH_QUEUE_MAX: '1000',
  },
  'profile-service': {
    LOG_LEVEL: 'warn',
    // The broker's lower bound: a killed instance's partitions move after 6 s instead of 10 s.
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
    CONSUMER_RETRY_MAX_MS: '2000',
  },
}

/**
 * Everything the fault run breaks, all of its own: a broker, a PostgreSQL server per service (the
 * profiles one is stopped and started), the topics, and two instances of each service.
 */
export class FaultWorld {
  readonly namespace = `faults-${Date.now().toString(36)}-`
  readonly topic = namespaced(Topics.userRegister, this.namespace)
  readonly deadLetterTopic = namespaced(Topics.userRegisterDeadLetter, this.namespace)
  readonly groupId = namespaced(ConsumerGroups.profileService, this.namespace)
  readonly userServices: ServiceProcess[] = []
  readonly profileServices: ServiceProcess[] = []
  kafka!: LocalKafka
  usersPostgres!: LocalPostgres
  profilesPostgres!: LocalPostgres
  userDatabaseUrl!: string
  profileDatabaseUrl!: string
  #profilesDataDir!: string
  readonly #cleanups: Array<() => Promise<unknown>> = []

  get brokers(): string {
    return this.kafka.bootstrapServers
  }

  async start(): Promise<void> {
    this.kafka = await startKafka()
    this.#cleanups.push(() => this.kafka.stop())
    await createTopics(this.brokers, [
      { name: this.topic, partitions: PARTITIONS },
      { name: this.deadLetterTopic, partitions: PARTITIONS },
    ])
    this.usersPostgres = await startPostgres()
    this.#cleanups.push(() => this.usersPostgres.stop())
    const profilesDir = await mkdtemp(join(tmpdir(), 'kafka-ref-faults-'))
    this.#cleanups.push(() => rm(profilesDir, { recursive: true, force: true }))
    this.#profilesDataDir = join(profilesDir, 'postgres')
    this.profilesPostgres = await startPostgres({ dataDir: this.#profilesDataDir, persistent: true })
    this.#cleanups.push(async () => {
      await this.profilesPostgres.stop()
      await rm(this.profilesPostgres.dataDir, { recursive: true, force: true })
    })
    this.userDatabaseUrl = await this.usersPostgres.createDatabase('users')
    this.profileDatabaseUrl = await this.profilesPostgres.createDatabase('profiles')

    for (let i = 1; i <= 2; i++) {
      this.userServices.push(await this.#service('user-service', i))
      this.profileServices.push(await this.#service('profile-service', i))
    }
    await Promise.all([...this.userServices, ...this.profileServices].map((service) => service.start()))
  }

  /** The profiles database goes away (a clean stop) and comes back on the same port and data. */
  async stopProfilesDatabase(): Promise<void> {
    await this.profilesPostgres.stop()
  }

  async startProfilesDatabase(): Promise<void> {
    this.profilesPostgres = await startPostgres({
      dataDir: this.#profilesDataDir,
      port: this.profilesPostgres.port,
      persistent: true,
    })
  }

  async stop(): Promise<void> {
    for (const service of [...this.userServices, ...this.profileServices]) await service.stop()
    for (let cleanup = this.#cleanups.pop(); cleanup; cleanup = this.#cleanups.pop()) {
      await cleanup().catch(() => undefined)
    }
  }

  async #service(service: ServiceName, number: number): Promise<ServiceProcess> {
    const instance = new ServiceProcess({
      service,
      label: `${service}#${number}`,
      port: await freePort(),
      env: {
        ...SERVICE_ENV[service],
        DATABASE_URL: service === 'user-service' ? this.userDatabaseUrl : this.profileDatabaseUrl,
        KAFKA_BROKERS: this.brokers,
        KAFKA_TOPIC_NAMESPACE: this.namespace,
      },
    })
    this.#cleanups.push(() => instance.stop())
    return instance
  }
}
