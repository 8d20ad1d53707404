import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePorts } from '../util/free-port.ts'
import { ToolError } from '../util/tool-error.ts'
import { waitForBroker } from './admin.ts'
import { activeController, groupCoordinator, partitionLeader, waitForFullIsr } from './cluster-admin.ts'
import { clusterIdFor, log4jConfig, type NodeSpec, serverProperties } from './config.ts'
import { ensureKafkaJars, KAFKA_VERSION } from './jars.ts'
import { formatStorage, KafkaJvm } from './node-process.ts'
import { requireJava } from './requirements.ts'

export interface StartKafkaOptions {
  /**
   * Nodes (each a broker and a controller, one JVM each, all voters of one quorum). Default 1.
   * On three or more, the system's topics default to three copies and two in sync.
   */
  brokers?: number
  /** Where config, logs and data live (a folder per node when there are several). Default: a fresh folder in os.tmpdir(). */
  dataDir?: string
  /** Client (PLAINTEXT) port of node 1; node N's is port + 2(N-1). Default: free ports. */
  port?: number
  /** KRaft controller port of node 1; node N's is controllerPort + 2(N-1). Default: free ports. */
  controllerPort?: number
  /** Default true: the JVMs' stdout/stderr go to <node dir>/broker.out; false echoes them to this terminal. */
  quiet?: boolean
  /** How long to wait for the brokers to be listed in the cluster's metadata. Default 60 s (90 s for several). */
  readyTimeoutMs?: number
}

/** One node of the cluster, to stop, crash and start again alone. */
export interface KafkaNode {
  /** Its `node.id`, 1 to the number of nodes. */
  readonly id: number
  /** `127.0.0.1:<port>`: this node's client listener alone. */
  readonly address: string
  readonly dataDir: string
  /** Pid of its JVM while it runs. */
  readonly pid: number | undefined
  /** SIGTERM (clean shutdown: its leaderships move first), SIGKILL after 15 s. */
  stop(): Promise<void>
  /** SIGKILL: a crash; it stays a member of the cluster until the controller fences it. */
  kill(): Promise<void>
  /** Starts it again (same folder and ports); resolves once it answers and lists itself as a broker. */
  start(): Promise<void>
}

export interface LocalKafka {
  /** `127.0.0.1:<port>` of every node, comma-separated, ready for any Kafka client. */
  bootstrapServers: string
  dataDir: string
  /** Apache Kafka version of the jars, e.g. `4.1.1`. */
  version: string
  /** Pid of node 1's JVM while it runs (the broker's, for a single one). */
  pid: number | undefined
  nodes: readonly KafkaNode[]
  node(id: number): KafkaNode
  /** Stops every node (SIGTERM, SIGKILL after 15 s). */
  stop(): Promise<void>
  /** SIGKILL to every node: simulates a crash; the data stays for start(). */
  kill(): Promise<void>
  /** Starts every node that is not running, with the same data and ports. */
  start(): Promise<void>
  /** Node id of the leader of a partition now; -1 when it has none. */
  leaderOf(topic: string, partition: number): Promise<number>
  /** Node id of the active controller (the metadata quorum's leader). */
  activeController(): Promise<number>
  /** Node id of the broker coordinating a consumer group. */
  groupCoordinator(groupId: string): Promise<number>
  /** Waits until every partition of `topics` has all its replicas in sync. */
  waitForFullIsr(topics: readonly string[], options?: { timeoutMs?: number }): Promise<void>
}

/**
 * The folder a local cluster keeps under a data root (`.data/` for the CLIs): `kafka` for one
 * broker, as always, `kafka-<N>brokers` for more, so a cluster never starts on a single broker's
 * storage (a different cluster id and quorum).
 */
export function kafkaDataDirName(brokers: number): string {
  return brokers === 1 ? 'kafka' : `kafka-${brokers}brokers`
}

async function nodeSpecs(options: StartKafkaOptions, count: number, dataDir: string): Promise<NodeSpec[]> {
  const free = !options.port || !options.controllerPort ? await freePorts(2 * count) : []
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    // A single broker keeps its files where they always were; a cluster has a folder per node.
    dataDir: count === 1 ? dataDir : join(dataDir, `node${i + 1}`),
    ports: {
      port: options.port ? options.port + 2 * i : free[2 * i]!,
      controllerPort: options.controllerPort ? options.controllerPort + 2 * i : free[2 * i + 1]!,
    },
  }))
}

/**
 * Starts real Apache Kafka: `brokers` KRaft nodes (broker and controller in one JVM each), formatted
 * with one cluster id and started together; resolves once every node answers a metadata request
 * that lists all of them. The jars are fetched with Maven on first use (see ensureKafkaJars).
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<LocalKafka> {
  const count = options.brokers ?? 1
  if (!Number.isInteger(count) || count < 1)
    throw new ToolError(`a Kafka cluster needs 1 or more nodes, not ${count}`)
  const java = await requireJava()
  const classpath = `${await ensureKafkaJars()}/*`
  const dataDir = resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kafka-ref-kafka-'))))
  if (options.dataDir === undefined) {
    // A temporary cluster's data is of no use once this process is gone; kept until then for start().
    process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  }
  await mkdir(dataDir, { recursive: true })
  const specs = await nodeSpecs(options, count, dataDir)
  const clusterId = await clusterIdFor(dataDir)
  const readyTimeoutMs = options.readyTimeoutMs ?? (count === 1 ? 60_000 : 90_000)
  const allIds = specs.map((spec) => spec.id)

  const nodes = await Promise.all(
    specs.map(async (spec) => {
      await mkdir(spec.dataDir, { recursive: true })
      await writeFile(join(spec.dataDir, 'server.properties'), serverProperties(spec, specs))
      await writeFile(join(spec.dataDir, 'log4j2.properties'), log4jConfig(spec.dataDir))
      const jvm = new KafkaJvm({ java, classpath, dataDir: spec.dataDir, quiet: options.quiet !== false })
      await formatStorage({ java, classpath, dataDir: spec.dataDir, quiet: true }, clusterId)
      return { spec, jvm, address: `127.0.0.1:${spec.ports.port}` }
    }),
  )

  /** Waits until the node answers and lists `ids` (itself, or the whole cluster at the first start). */
  const ready = async ({ spec, jvm, address }: (typeof nodes)[number], ids: readonly number[]) => {
    try {
      await waitForBroker(address, { timeoutMs: readyTimeoutMs, alive: () => jvm.running, brokerIds: ids })
    } catch (error) {
      const why = jvm.running ? String(error) : await jvm.failure()
      if (jvm.running) await jvm.terminate('SIGKILL')
      throw new ToolError(`Kafka ${KAFKA_VERSION} node ${spec.id} failed to start on ${address}: ${why}`)
    }
  }

  const handles: KafkaNode[] = nodes.map((node) => ({
    id: node.spec.id,
    address: node.address,
    dataDir: node.spec.dataDir,
    get pid() {
      return node.jvm.pid
    },
    stop: () => node.jvm.terminate('SIGTERM'),
    kill: () => node.jvm.terminate('SIGKILL'),
    async start() {
      if (node.jvm.running) return
      node.jvm.spawn()
      await ready(node, [node.spec.id])
    },
  }))

  const bootstrapServers = nodes.map((node) => node.address).join(',')
  const kafka: LocalKafka = {
    bootstrapServers,
    dataDir,
    version: KAFKA_VERSION,
    get pid() {
      return nodes[0]!.jvm.pid
    },
    nodes: handles,
    node(id) {
      const found = handles.find((node) => node.id === id)
      if (!found) throw new Error(`no Kafka node ${id} (nodes: ${allIds.join(', ')})`)
      return found
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.jvm.terminate('SIGTERM')))
    },
    async kill() {
      await Promise.all(nodes.map((node) => node.jvm.terminate('SIGKILL')))
    },
    async start() {
      // Together: a node of a three-voter quorum cannot finish starting while the others are down.
      const stopped = nodes.filter((node) => !node.jvm.running)
      for (const node of stopped) node.jvm.spawn()
      const results = await Promise.allSettled(stopped.map((node) => ready(node, allIds)))
      const failed = results.find((result) => result.status === 'rejected')
      if (failed) {
        await kafka.kill()
        throw failed.reason
      }
    },
    leaderOf: (topic, partition) => partitionLeader(bootstrapServers, topic, partition),
    activeController: () => activeController(bootstrapServers),
    groupCoordinator: (groupId) => groupCoordinator(bootstrapServers, groupId),
    waitForFullIsr: (topics, waitOptions) => waitForFullIsr(bootstrapServers, topics, waitOptions),
  }
  await kafka.start()
  return kafka
}
