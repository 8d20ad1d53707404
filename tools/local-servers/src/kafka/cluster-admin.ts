import {
  ConfigResourceTypes,
  Connection,
  type ConsumerGroupStateValue,
  describeQuorumV2,
  FindCoordinatorKeyTypes,
  metadataV12,
} from '@platformatic/kafka'
import { sleep } from '../util/sleep.ts'
import { createAdmin } from './admin.ts'

/**
 * Questions about a running cluster that a fault test asks (who leads a partition, who is the
 * active controller, who coordinates a group, whether the in-sync sets are full), each through the
 * admin API, answered by whichever broker is up.
 */

async function withAdmin<T>(
  bootstrapServers: string,
  use: (admin: ReturnType<typeof createAdmin>) => Promise<T>,
) {
  const admin = createAdmin(bootstrapServers, 5_000)
  try {
    return await use(admin)
  } finally {
    await admin.close().catch(() => undefined)
  }
}

/** Node id of the leader of `topic`'s `partition` as the cluster's metadata has it now; -1 for none. */
export function partitionLeader(bootstrapServers: string, topic: string, partition: number): Promise<number> {
  return withAdmin(bootstrapServers, async (admin) => {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
    const found = metadata.topics.get(topic)?.partitions[partition]
    if (!found) throw new Error(`topic ${topic} has no partition ${partition}`)
    return found.leader
  })
}

/** Node id of the broker that coordinates consumer group `groupId` (it holds the group's offsets partition). */
export function groupCoordinator(bootstrapServers: string, groupId: string): Promise<number> {
  return withAdmin(bootstrapServers, async (admin) => {
    const [found] = await admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] })
    if (!found || found.nodeId < 0) throw new Error(`no coordinator for group ${groupId} yet`)
    return found.nodeId
  })
}

/** A consumer group as its coordinator describes it: its state (`STABLE` once formed) and members. */
export function describeGroup(
  bootstrapServers: string,
  groupId: string,
): Promise<{ state: ConsumerGroupStateValue | undefined; members: number }> {
  return withAdmin(bootstrapServers, async (admin) => {
    const group = (await admin.describeGroups({ groups: [groupId] })).get(groupId)
    return { state: group?.state, members: group?.members.size ?? 0 }
  })
}

/** How a topic is replicated: each partition's replica count, and its `min.insync.replicas`. */
export function topicReplication(
  bootstrapServers: string,
  topic: string,
): Promise<{ replicas: number[]; minInsyncReplicas: number | undefined }> {
  return withAdmin(bootstrapServers, async (admin) => {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
    const [described] = await admin.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configurationKeys: ['min.insync.replicas'],
        },
      ],
    })
    const value = described?.configs.find((config) => config.name === 'min.insync.replicas')?.value
    return {
      replicas: (metadata.topics.get(topic)?.partitions ?? []).map((partition) => partition.replicas.length),
      minInsyncReplicas: value ? Number(value) : undefined,
    }
  })
}

/** Runs `use` on a connection to the first node of `bootstrapServers` that accepts one. */
async function withConnection<T>(bootstrapServers: string, use: (connection: Connection) => Promise<T>) {
  let lastError: unknown
  for (const address of bootstrapServers.split(',')) {
    const at = address.lastIndexOf(':')
    const connection = new Connection('kafka-ref-tools', { connectTimeout: 2_000 })
    try {
      await connection.connect(address.slice(0, at), Number(address.slice(at + 1)))
    } catch (error) {
      lastError = error
      await connection.close().catch(() => undefined)
      continue
    }
    try {
      return await use(connection)
    } finally {
      await connection.close().catch(() => undefined)
    }
  }
  throw new Error(`no Kafka node answers at ${bootstrapServers}: ${(lastError as Error)?.message}`)
}

/**
 * Node id of the active controller: the leader of the metadata quorum, from a DescribeQuorum
 * request (a broker forwards it to the controllers). The Metadata API's `controllerId` cannot
 * say: on a KRaft cluster it names a random broker, because clients cannot reach controllers.
 * @platformatic/kafka's Admin has no method for it, so the request goes over a connection of its own.
 */
export function activeController(bootstrapServers: string): Promise<number> {
  return withConnection(bootstrapServers, async (connection) => {
    const response = await describeQuorumV2.api.async(connection, [
      { topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] },
    ])
    const leader = response.topics[0]?.partitions[0]?.leaderId ?? -1
    if (leader < 0) throw new Error('the metadata quorum has no leader')
    return leader
  })
}

/**
 * Partitions of `topics` whose in-sync set lacks a replica (or that have no leader), as
 * `topic/partition`. Internal topics (`__consumer_offsets`) count too: a rolling restart waits for
 * them as well. The Admin's metadata leaves them out, so this one asks with a Metadata request of
 * its own.
 */
export function partitionsNotFullyInSync(
  bootstrapServers: string,
  topics: readonly string[],
): Promise<string[]> {
  return withConnection(bootstrapServers, async (connection) => {
    const metadata = await metadataV12.api.async(connection, [...topics], false, false)
    const short: string[] = []
    for (const name of topics) {
      const partitions = metadata.topics.find((topic) => topic.name === name)?.partitions ?? []
      if (partitions.length === 0) short.push(`${name}/*`)
      for (const partition of partitions) {
        if (partition.leaderId < 0 || partition.isrNodes.length < partition.replicaNodes.length) {
          short.push(`${name}/${partition.partitionIndex}`)
        }
      }
    }
    return short
  })
}

/**
 * Waits until every partition of `topics` has a leader and all its replicas in sync again (after a
 * node came back, before the next one may go down in a rolling restart).
 */
export async function waitForFullIsr(
  bootstrapServers: string,
  topics: readonly string[],
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let short: string[] | undefined
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      short = await partitionsNotFullyInSync(bootstrapServers, topics)
      if (short.length === 0) return
    } catch (error) {
      lastError = error
    }
    await sleep(200)
  }
  const why = short ? `still short: ${short.slice(0, 10).join(', ')}` : String(lastError)
  throw new Error(`in-sync replica sets not full within ${timeoutMs} ms (${why})`)
}
