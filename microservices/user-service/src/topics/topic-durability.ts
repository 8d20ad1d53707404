import {
  TARGET_MIN_INSYNC_REPLICAS,
  type TopicDurability,
  topicDurability,
  weakerDurability,
} from '@kafka-ref/shared-contracts'
import { type Admin, ConfigResourceTypes } from '@platformatic/kafka'

const MIN_INSYNC = 'min.insync.replicas'

/** What the cluster has: its brokers now, and the durability of each of `names` that exists. */
export interface ClusterTopics {
  brokers: number
  topics: Map<string, TopicDurability>
}

/**
 * Reads the replication factor (the fewest copies any partition has) and `min.insync.replicas` of
 * each existing topic of `names`; a missing topic is left out (creating it is provisioning's job,
 * and the relay reports a topic it cannot find).
 */
export async function readClusterTopics(admin: Admin, names: readonly string[]): Promise<ClusterTopics> {
  const listed = new Set(await admin.listTopics())
  const existing = names.filter((name) => listed.has(name))
  const metadata = await admin.metadata({ topics: existing, forceUpdate: true })
  const topics = new Map<string, TopicDurability>()
  if (existing.length === 0) return { brokers: metadata.brokers.size, topics }
  const described = await admin.describeConfigs({
    resources: existing.map((name) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: name,
      configurationKeys: [MIN_INSYNC],
    })),
  })
  for (const name of existing) {
    const partitions = metadata.topics.get(name)?.partitions ?? []
    const value = described
      .find((resource) => resource.resourceName === name)
      ?.configs.find((config) => config.name === MIN_INSYNC)?.value
    topics.set(name, {
      replicationFactor: Math.min(...partitions.map((partition) => partition.replicas.length)),
      // Kafka's own default when nothing says otherwise.
      minInsyncReplicas: value ? Number(value) : 1,
    })
  }
  return { brokers: metadata.brokers.size, topics }
}

/** One line per setting of `names` weaker than the cluster allows (see `weakerDurability`). */
export async function weakTopicSettings(admin: Admin, names: readonly string[]): Promise<string[]> {
  const { brokers, topics } = await readClusterTopics(admin, names)
  return [...topics].flatMap(([name, durability]) => weakerDurability(name, durability, brokers))
}

/**
 * What a topic created on a cluster of `brokers` gets: `topicDurability`, or the replication factor
 * the operator chose, with min.insync.replicas at most 2 and never above it.
 */
export function provisionedDurability(brokers: number, replicationFactor?: number): TopicDurability {
  if (replicationFactor === undefined) return topicDurability(brokers)
  return { replicationFactor, minInsyncReplicas: Math.min(TARGET_MIN_INSYNC_REPLICAS, replicationFactor) }
}
