import { Connection, describeQuorumV2, FindCoordinatorKeyTypes } from '@platformatic/kafka'
import { sleep } from '../util/sleep.ts'
import { createAdmin } from './admin.ts'

/**
 * Questions about a running cluster that a fault test asks (who leads a partition, who is the
 * active controller, who coordinates a group, whether the in-sync sets are full), each through the
 * admin API, answered by whichever broker is up.
 */

async function withAdmin<T>(bootstrapServers: string, use: (admin: ReturnType<typeof createAdmin>) => Promise<T>) {
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

/**
 * Node id of the active controller: the leader of the metadata quorum, from a DescribeQuorum
 * request (a broker forwards it to the controllers). The Metadata API's `controllerId` cannot
 * say: on a KRaft cluster it names a random broker, because clients cannot reach controllers.
 * @platformatic/kafka's Admin has no method for it, so the request goes over one of its
 * connections to the first node that accepts one.
 */
export async function activeController(bootstrapServers: string): Promise<number> {
  let lastError: unknown
  for (const address of bootstrapServers.split(',')) {
    const at = address.lastIndexOf(':')
    const connection = new Connection('kafka-ref-tools', { connectTimeout: 2_000 })
    try {
      await connection.connect(address.slice(0, at), Number(address.slice(at + 1)))
      const response = await describeQuorumV2.api.async(connection, [
        { topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] },
      ])
      const leader = response.topics[0]?.partitions[0]?.leaderId ?? -1
      if (leader >= 0) return leader
      lastError = new Error('the metadata quorum has no leader')
    } catch (error) {
      lastError = error
    } finally {
      await connection.close().catch(() => undefined)
    }
  }
  throw new Error(`no active controller found at ${bootstrapServers}: ${(lastError as Error)?.message}`)
}

/** Partitions of `topics` whose in-sync set lacks a replica (or that have no leader), as `topic/partition`. */
export function partitionsNotFullyInSync(bootstrapServers: string, topics: readonly string[]): Promise<string[]> {
  return withAdmin(bootstrapServers, async (admin) => {
    const metadata = await admin.metadata({ topics: [...topics], forceUpdate: true })
    const short: string[] = []
    for (const name of topics) {
      const partitions = metadata.topics.get(name)?.partitions ?? []
      if (partitions.length === 0) short.push(`${name}/*`)
      partitions.forEach((partition, index) => {
        if (partition.leader < 0 || partition.isr.length < partition.replicas.length) short.push(`${name}/${index}`)
      })
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
