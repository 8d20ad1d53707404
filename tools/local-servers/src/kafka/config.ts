import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TARGET_REPLICATION_FACTOR, topicDurability } from '@kafka-ref/shared-contracts'

export interface BrokerPorts {
  port: number
  controllerPort: number
}

/** One node of a local KRaft cluster: broker and controller in one JVM. */
export interface NodeSpec {
  /** `node.id`, 1 to the cluster's size. */
  id: number
  /** The node's own folder: its config, logs and `logs/` (the data). */
  dataDir: string
  ports: BrokerPorts
}

/** `controller.quorum.voters`: every node votes (a static quorum, formatted without --standalone). */
export function quorumVoters(nodes: readonly NodeSpec[]): string {
  return nodes.map((node) => `${node.id}@127.0.0.1:${node.ports.controllerPort}`).join(',')
}

/**
 * How the cluster's brokers notice that a node is gone. A node killed -9 keeps its partitions'
 * leadership (and its place in their in-sync sets, which holds acks=all writes) until the active
 * controller fences it, `broker.session.timeout.ms` after its last heartbeat: 9 s with Kafka's
 * defaults, measured as 12 s from the kill to the next write on a three-node cluster. These nodes
 * share one machine, so no network can delay a heartbeat and 3 s is ample (no spurious fencing
 * seen under the cluster tests' load); a restarted node also waits out its old session before it
 * is unfenced. Production keeps Kafka's defaults (2 s / 9 s): brokers on separate machines see GC
 * pauses and network hiccups, fencing a live broker moves all its leaderships twice, and clean
 * restarts (SIGTERM: controlled shutdown) move leadership at once whatever the timeout.
 */
export const BROKER_SESSION = {
  'broker.heartbeat.interval.ms': 1000,
  'broker.session.timeout.ms': 3000,
} as const

/**
 * The cluster-wide settings that depend on its size: the system's topics' defaults (from
 * `topicDurability`, also used by provisioning), and, below three brokers only, the internal topics'
 * replication (Kafka's defaults of 3 cannot be met there). On three or more brokers Kafka's own
 * defaults for its internal topics apply.
 */
export function replicationProperties(brokers: number): Record<string, number> {
  const { replicationFactor, minInsyncReplicas } = topicDurability(brokers)
  const props: Record<string, number> = {
    'default.replication.factor': replicationFactor,
    'min.insync.replicas': minInsyncReplicas,
  }
  if (brokers < TARGET_REPLICATION_FACTOR) {
    Object.assign(props, {
      'offsets.topic.replication.factor': replicationFactor,
      'transaction.state.log.replication.factor': replicationFactor,
      'transaction.state.log.min.isr': minInsyncReplicas,
      'share.coordinator.state.topic.replication.factor': replicationFactor,
      'share.coordinator.state.topic.min.isr': minInsyncReplicas,
    })
  }
  return props
}

/** A node's server.properties, sized for tests on a small machine. */
export function serverProperties(node: NodeSpec, cluster: readonly NodeSpec[]): string {
  const { port, controllerPort } = node.ports
  const props: Record<string, string | number> = {
    'node.id': node.id,
    'process.roles': 'broker,controller',
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.quorum.voters': quorumVoters(cluster),
    'log.dirs': join(node.dataDir, 'logs'),
    'num.partitions': 3,
    ...replicationProperties(cluster.length),
    // Consumers in tests join alone; waiting 3 s for more members only slows every test down.
    'group.initial.rebalance.delay.ms': 0,
    ...BROKER_SESSION,
    // Fewer background threads: two cores are shared with PostgreSQL and the tests themselves.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
  }
  return `${Object.entries(props)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`
}

/** Broker logs go to <dataDir>/broker.log at WARN (plus the "started" line), not to the terminal. */
export function log4jConfig(dataDir: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${join(dataDir, 'broker.log')}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.file.ref = file',
    'logger.server.name = kafka.server.KafkaRaftServer',
    'logger.server.level = info',
    '',
  ].join('\n')
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters). */
/**
 * A random cluster id (16 bytes, base64url). Like Kafka's own Uuid.randomUuid(), never one that
 * starts with '-': command lines would read it as an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

/** Reuses the cluster id of an existing data dir: a restart must not look like a new cluster. */
export async function clusterIdFor(dataDir: string): Promise<string> {
  const file = join(dataDir, 'cluster-id')
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim()
  const id = newClusterId()
  await writeFile(file, `${id}\n`)
  return id
}

export function isFormatted(dataDir: string): boolean {
  return existsSync(join(dataDir, 'logs', 'meta.properties'))
}
