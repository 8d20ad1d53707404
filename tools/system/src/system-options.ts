import type { LocalKafka, LocalPostgres } from '@kafka-ref/local-servers'
import type { SystemTopic, Topics } from '@kafka-ref/shared-contracts'
import type { Balancer } from './balancer.ts'
import type { PresetName } from './presets.ts'
import type { ServiceName, ServiceProcess } from './service-process.ts'

/**
 * Kafka started with the system and stopped with it: one broker, or a cluster of `brokers` nodes
 * (node i on port + 2(i-1), each controller on its port + 1); free ports by default.
 */
export interface LocalKafkaOptions {
  dataDir?: string
  port?: number
  /** Nodes, each a broker and a controller; default 1. */
  brokers?: number
}

/** Kafka: brokers someone else runs, or a local one startSystem starts and stops. */
export type KafkaSource = { brokers: string } | { local: LocalKafkaOptions }

export interface LocalPostgresOptions {
  dataDir?: string
  port?: number
  /** Keep the data folder on stop (a folder of its own is deleted unless persistent). */
  persistent?: boolean
}

/** Where the services' databases are created: a server someone else runs (its admin URL), or a local one. */
export type PostgresSource = { adminUrl: string } | { local: LocalPostgresOptions }

export interface ServiceSpec {
  /** Instances of the service, default 1, each a process on its own port. */
  count?: number
  /** How its instances are named in logs: default the service's name, `#n` added when there are several. */
  label?: string
  /** One port per instance; default free ones. */
  ports?: number[]
  /** Its database (shared by its instances); default one created on `postgres`. */
  databaseUrl?: string
  /** Its environment on top of the preset's and the options' `env`. */
  env?: Record<string, string>
}

export interface SystemOptions {
  kafka: KafkaSource
  /** Needed when a started service has no `databaseUrl`. */
  postgres?: PostgresSource
  /** Prefix of the topics and the consumer group (see `namespaced`); default none. */
  namespace?: string
  /** Partitions of the system's topics; default DEFAULT_PARTITIONS. */
  partitions?: number
  /** Create the system's topics (default true); false when the caller made them already. */
  createTopics?: boolean
  /** The services' environment for this kind of run (see presets.ts). */
  preset: PresetName
  /** The services to run; a service left out is not started. */
  services: Partial<Record<ServiceName, ServiceSpec>>
  /**
   * HAProxy in front of each service's instances, one front port per service (`ports`, default free
   * ones), following their readiness: `RunningService.url` is then the front. Needs `haproxy`.
   */
  balancer?: { ports?: Partial<Record<ServiceName, number>> }
  /** Environment for every service, on top of the preset's. */
  env?: Record<string, string>
  /** Every line an instance writes (pino JSON on stdout, anything on stderr), with its label. */
  onLine?: (line: string, label: string) => void
  /** Each instance before it starts (a test harness tracks it, so a failed start still shows its log). */
  onInstance?: (instance: ServiceProcess) => void
  /** Progress, one line per step. */
  onStep?: (message: string) => void
  /** Aborting stops start-up between steps and cleans up what was started. */
  signal?: AbortSignal
}

export interface RunningService {
  instances: ServiceProcess[]
  /** Where clients reach the service: the balancer's front port, or else its first instance. */
  url: string
  databaseUrl: string
}

export interface RunningSystem {
  /** The broker startSystem started, if it started one. */
  kafka: LocalKafka | undefined
  /** The PostgreSQL server startSystem started, if it started one. */
  postgres: LocalPostgres | undefined
  brokers: string
  namespace: string
  topics: Record<keyof typeof Topics, SystemTopic>
  /** HAProxy in front of the instances, when `balancer` was given. */
  balancer: Balancer | undefined
  /** The services that were asked for. */
  services: Partial<Record<ServiceName, RunningService>>
  /** A started service; throws if it was not asked for. */
  service(name: ServiceName): RunningService
  /** The balancer first, then the services (each closing gracefully), then PostgreSQL, then Kafka. */
  stop(): Promise<void>
}
