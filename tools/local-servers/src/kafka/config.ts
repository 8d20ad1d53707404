import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface BrokerPorts {
  port: number
  controllerPort: number
}

/** A single-node KRaft cluster (broker and controller in one JVM) sized for tests on a small machine. */
export function serverProperties(dataDir: string, { port, controllerPort }: BrokerPorts): string {
  const props: Record<string, string | number> = {
    'node.id': 1,
    'process.roles': 'broker,controller',
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    // A static quorum: the storage is then formatted without --standalone.
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'log.dirs': join(dataDir, 'logs'),
    'num.partitions': 3,
    'default.replication.factor': 1,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Consumers in tests join alone; waiting 3 s for more members only slows every test down.
    'group.initial.rebalance.delay.ms': 0,
    // After kill() the restarted broker waits for its old registration's session to expire before the
    // controller unfences it: 9 s by default, about 3 s with these.
    'broker.heartbeat.interval.ms': 1000,
    'broker.session.timeout.ms': 3000,
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
