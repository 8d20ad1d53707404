import { type TopicDurability, topicDurability } from '@kafka-ref/shared-contracts'
import type { Admin, ClusterMetadata } from '@platformatic/kafka'
import { sleep } from '../util/sleep.ts'
import { createAdmin } from './admin.ts'

export interface TopicSpec {
  name: string
  /** Default 3, the broker's num.partitions. */
  partitions?: number
  /**
   * Copies and in-sync copies an acks=all write needs. Default: `topicDurability` of the brokers
   * the cluster lists now (3 and 2 on three brokers or more, 1 and 1 on one).
   */
  durability?: TopicDurability
}

function isAlreadyExists(error: unknown): boolean {
  // @platformatic/kafka reports per-topic failures as a ResponseError wrapping ProtocolErrors.
  const seen = new Set<unknown>()
  const visit = (value: unknown): boolean => {
    if (!value || typeof value !== 'object' || seen.has(value)) return false
    seen.add(value)
    const record = value as Record<string, unknown>
    if (record.apiId === 'TOPIC_ALREADY_EXISTS') return true
    return Object.values(record).some(visit) || (Array.isArray(record.errors) && record.errors.some(visit))
  }
  return visit(error)
}

/**
 * Creates the topics that do not exist yet (replicated as `durability` says) and waits until every partition
 * of every listed topic has a leader, so producers and consumers can use them right away.
 */
export async function createTopics(
  bootstrapServers: string,
  topics: TopicSpec[],
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  if (topics.length === 0) return
  const admin = createAdmin(bootstrapServers, 10_000)
  try {
    const existing = new Set(await admin.listTopics())
    const { brokers } = await admin.metadata({ topics: [] })
    for (const topic of topics) {
      if (existing.has(topic.name)) continue
      const { replicationFactor, minInsyncReplicas } = topic.durability ?? topicDurability(brokers.size)
      try {
        await admin.createTopics({
          topics: [topic.name],
          partitions: topic.partitions ?? 3,
          replicas: replicationFactor,
          configs: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }],
        })
      } catch (error) {
        // Another test file may have created it between listTopics and here.
        if (!isAlreadyExists(error)) throw error
      }
    }

    const names = topics.map((topic) => topic.name)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const metadata = await admin.metadata({ topics: names, forceUpdate: true }).catch(() => undefined)
      const pending = names.filter((name) => {
        const topic = metadata?.topics.get(name)
        return !topic || topic.partitions.length === 0 || topic.partitions.some((p) => p.leader < 0)
      })
      // A leader in the metadata is not enough: right after creation the leader can still answer
      // NOT_LEADER_OR_FOLLOWER, and @platformatic/kafka then re-sends a whole multi-partition batch,
      // duplicating the partitions that did succeed. ListOffsets is served by the leader itself.
      if (pending.length === 0 && metadata && (await leadersServe(admin, names, metadata))) return
      if (Date.now() > deadline) {
        throw new Error(`Topics without a partition leader after ${timeoutMs} ms: ${pending.join(', ')}`)
      }
      await sleep(100)
    }
  } finally {
    await admin.close().catch(() => undefined)
  }
}

async function leadersServe(admin: Admin, names: string[], metadata: ClusterMetadata): Promise<boolean> {
  const topics = names.map((name) => ({
    name,
    partitions: (metadata.topics.get(name)?.partitions ?? []).map((_, partitionIndex) => ({
      partitionIndex,
      // -1 asks for the latest offset.
      timestamp: -1n,
    })),
  }))
  try {
    await admin.listOffsets({ topics })
    return true
  } catch {
    return false
  }
}
