import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTopics, type LocalKafka, type LocalPostgres, startPostgres } from '@kafka-ref/local-servers'
import { ConsumerGroups, namespaced, systemTopics } from '@kafka-ref/shared-contracts'
import { type RunningSystem, type ServiceProcess, startSystem } from '@kafka-ref/system'

/**
 * Everything the fault run breaks, all of its own: a broker or a cluster of `brokers`, a PostgreSQL
 * server per service (the profiles one is stopped and started), the topics, and two instances of
 * each service.
 */
export class FaultWorld {
  readonly namespace = `faults-${Date.now().toString(36)}-`
  readonly topics = systemTopics(this.namespace)
  readonly topic = this.topics.userRegister.name
  readonly deadLetterTopic = this.topics.userRegisterDeadLetter.name
  readonly groupId = namespaced(ConsumerGroups.profileService, this.namespace)
  /** Where the cluster faults check whether a write is accepted, replicated like the system's topics. */
  readonly probeTopic = `${this.namespace}write_probe`
  /** What a broker fault waits to be fully in sync again before it ends (the group's offsets too). */
  readonly replicatedTopics = [this.topic, this.deadLetterTopic, '__consumer_offsets']
  profilesPostgres!: LocalPostgres
  #system: RunningSystem | undefined
  #profilesDataDir!: string
  readonly #cleanups: Array<() => Promise<unknown>> = []

  constructor(readonly brokerCount = 1) {}

  get system(): RunningSystem {
    if (!this.#system) throw new Error('the fault world is not started')
    return this.#system
  }

  get kafka(): LocalKafka {
    return this.system.kafka!
  }

  get brokers(): string {
    return this.system.brokers
  }

  get userServices(): ServiceProcess[] {
    return this.#system?.services['user-service']?.instances ?? []
  }

  get profileServices(): ServiceProcess[] {
    return this.#system?.services['profile-service']?.instances ?? []
  }

  get userDatabaseUrl(): string {
    return this.system.service('user-service').databaseUrl
  }

  get profileDatabaseUrl(): string {
    return this.system.service('profile-service').databaseUrl
  }

  async start(): Promise<void> {
    // The profiles server is the fault run's own (it stops and starts it); the rest is startSystem's.
    const profilesDir = await mkdtemp(join(tmpdir(), 'kafka-ref-faults-'))
    this.#cleanups.push(() => rm(profilesDir, { recursive: true, force: true }))
    this.#profilesDataDir = join(profilesDir, 'postgres')
    this.profilesPostgres = await startPostgres({ dataDir: this.#profilesDataDir, persistent: true })
    this.#cleanups.push(async () => {
      await this.profilesPostgres.stop()
      await rm(this.profilesPostgres.dataDir, { recursive: true, force: true })
    })
    this.#system = await startSystem({
      kafka: { local: { brokers: this.brokerCount } },
      postgres: { local: {} },
      namespace: this.namespace,
      preset: 'faults',
      services: {
        'user-service': { count: 2 },
        'profile-service': { count: 2, databaseUrl: await this.profilesPostgres.createDatabase('profiles') },
      },
    })
    this.#cleanups.push(() => this.system.stop())
    if (this.brokerCount > 1) {
      await createTopics(this.brokers, [
        { name: this.probeTopic, partitions: this.topics.userRegister.partitions },
      ])
    }
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
    for (let cleanup = this.#cleanups.pop(); cleanup; cleanup = this.#cleanups.pop()) {
      await cleanup().catch(() => undefined)
    }
  }
}
