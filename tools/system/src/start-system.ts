import {
  createDatabase,
  createTopics,
  freePorts,
  type LocalKafka,
  type LocalPostgres,
  startKafka,
  startPostgres,
} from '@kafka-ref/local-servers'
import {
  ConsumerGroups,
  DEFAULT_PARTITIONS,
  namespaced,
  type SystemTopic,
  systemTopics,
  type Topics,
} from '@kafka-ref/shared-contracts'
import { balanceServices } from './balance-services.ts'
import type { Balancer } from './balancer.ts'
import { presetEnv } from './presets.ts'
import { SERVICE_NAMES, type ServiceName, ServiceProcess } from './service-process.ts'
import type { RunningService, RunningSystem, ServiceSpec, SystemOptions } from './system-options.ts'

/** The database each service gets on a server startSystem creates it on. */
const DATABASE_NAMES: Readonly<Record<ServiceName, string>> = {
  'user-service': 'users',
  'profile-service': 'profiles',
}

/** Creates the system's topics (see `systemTopics`) where missing and waits for their partition leaders. */
export async function createSystemTopics(
  brokers: string,
  namespace = '',
  partitions = DEFAULT_PARTITIONS,
): Promise<Record<keyof typeof Topics, SystemTopic>> {
  const topics = systemTopics(namespace, partitions)
  await createTopics(brokers, Object.values(topics))
  return topics
}

/**
 * Brings the system up the way an operator would, for every kind of run (`pnpm dev`, the tests,
 * the fault run, the benchmark): Kafka and PostgreSQL (local ones unless given), the system's topics
 * through the admin API, one database per service, then each service's instances from their entry
 * points, environment from the run's preset. `stop()` takes it down in reverse order.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const step = options.onStep ?? (() => undefined)
  const checkpoint = () => options.signal?.throwIfAborted()
  const stack: Array<() => Promise<unknown>> = []
  const stop = async () => {
    // Last started, first stopped: services before the servers they use.
    for (let close = stack.pop(); close; close = stack.pop()) await close().catch(() => undefined)
  }
  try {
    let kafka: LocalKafka | undefined
    if ('local' in options.kafka) {
      const { dataDir, port, brokers = 1 } = options.kafka.local
      step(`starting Apache Kafka (${brokers === 1 ? 'local broker' : `${brokers} local brokers`})...`)
      kafka = await startKafka({ dataDir, port, controllerPort: port && port + 1, brokers })
      stack.push(() => kafka!.stop())
      step(`Kafka ${kafka.version} ready at ${kafka.bootstrapServers}`)
    }
    const brokers = kafka?.bootstrapServers ?? ('brokers' in options.kafka ? options.kafka.brokers : '')
    checkpoint()
    const namespace = options.namespace ?? ''
    const partitions = options.partitions ?? DEFAULT_PARTITIONS
    const topics = systemTopics(namespace, partitions)
    if (options.createTopics ?? true) {
      await createSystemTopics(brokers, namespace, partitions)
      step(`topics ready: ${topics.userRegister.name} (${partitions} partitions) and its dead-letter topic`)
    }

    checkpoint()
    const wanted = SERVICE_NAMES.filter((name) => options.services[name])
    const databaseUrls: Partial<Record<ServiceName, string>> = {}
    for (const name of wanted) databaseUrls[name] = options.services[name]!.databaseUrl
    let postgres: LocalPostgres | undefined
    if (wanted.some((name) => !databaseUrls[name])) {
      const source = options.postgres
      if (!source) throw new Error('startSystem: a service has no databaseUrl and no postgres is given')
      let adminUrl: string
      if ('local' in source) {
        step('starting PostgreSQL (local server)...')
        postgres = await startPostgres(source.local)
        stack.push(() => postgres!.stop())
        adminUrl = postgres.url
      } else {
        adminUrl = source.adminUrl
      }
      for (const name of wanted) databaseUrls[name] ??= await createDatabase(adminUrl, DATABASE_NAMES[name])
      if (postgres) step(`PostgreSQL ${postgres.version} ready on port ${postgres.port}`)
    }

    checkpoint()
    const services: Partial<Record<ServiceName, RunningService>> = {}
    for (const name of wanted) {
      const spec = options.services[name]!
      const databaseUrl = databaseUrls[name]!
      const env = {
        ...presetEnv(options.preset, name),
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_NAMESPACE: namespace,
        DATABASE_URL: databaseUrl,
        // Behind the balancer every request comes from 127.0.0.1: the client is in X-Forwarded-For.
        ...(options.balancer && { TRUST_PROXY: 'loopback' }),
        ...options.env,
        ...spec.env,
      }
      const instances = await instancesOf(name, spec, env, options.onLine)
      services[name] = { instances, url: instances[0]!.url, databaseUrl }
    }
    const all = Object.values(services).flatMap((service) => service.instances)
    // SIGINT: the balancer has stopped by then, so nothing is left to drain.
    stack.push(() => Promise.all(all.map((instance) => instance.stop(undefined, 'SIGINT'))))
    for (const instance of all) options.onInstance?.(instance)
    if (all.length > 0) {
      step(`starting ${wanted.join(' and ')}...`)
      await Promise.all(all.map((instance) => instance.start(90_000, options.signal)))
    }
    let balancer: Balancer | undefined
    if (options.balancer && all.length > 0) {
      checkpoint()
      balancer = await balanceServices(services, options.balancer, options.onLine)
      stack.push(() => balancer!.stop())
      const fronts = Object.entries(services).map(([name, service]) => `${name} ${service.url}`)
      step(`HAProxy in front of the instances: ${fronts.join(', ')}`)
    }
    if (services['profile-service']) {
      step(`consumer group: ${namespaced(ConsumerGroups.profileService, namespace)}`)
    }
    const service = (name: ServiceName) => {
      const running = services[name]
      if (!running) throw new Error(`startSystem: ${name} was not started`)
      return running
    }
    return { kafka, postgres, brokers, namespace, topics, balancer, services, service, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

async function instancesOf(
  service: ServiceName,
  spec: ServiceSpec,
  env: Record<string, string>,
  onLine: SystemOptions['onLine'],
): Promise<ServiceProcess[]> {
  const count = spec.count ?? 1
  if (!Number.isInteger(count) || count < 1) throw new Error(`startSystem: invalid ${service} count ${count}`)
  const ports = spec.ports ?? (await freePorts(count))
  if (ports.length !== count)
    throw new Error(`startSystem: ${service} needs ${count} ports, got ${ports.length}`)
  const label = spec.label ?? service
  return ports.map(
    (port, i) =>
      new ServiceProcess({ service, label: count > 1 ? `${label}#${i + 1}` : label, port, env, onLine }),
  )
}
