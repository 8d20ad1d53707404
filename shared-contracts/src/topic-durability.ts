/**
 * How many copies of the system's topics a cluster keeps, and how many must have a write before it
 * is acknowledged: defined once, for provisioning (the create-topics CLI, `pnpm dev`, the tests),
 * for the local cluster's broker defaults, and for the start-up check that reports a weaker topic.
 *
 * Three copies survive the loss of any one broker with no data lost and writes still accepted;
 * `min.insync.replicas` 2 makes `acks=all` mean "on two brokers" rather than "on the leader alone"
 * once the in-sync set has shrunk, so an acknowledged event survives the leader's crash. With
 * fewer brokers the topic can only have as many copies as there are brokers.
 */
export interface TopicDurability {
  replicationFactor: number
  /** The topic's `min.insync.replicas`: fewer in-sync copies and `acks=all` writes are refused. */
  minInsyncReplicas: number
}

/** Replication factor a topic gets where the cluster has enough brokers. */
export const TARGET_REPLICATION_FACTOR = 3
/** In-sync copies an acknowledged write needs where the topic has enough copies. */
export const TARGET_MIN_INSYNC_REPLICAS = 2

/** What a topic of the system gets on a cluster of `brokers` brokers: RF min(3, brokers), min ISR min(2, RF). */
export function topicDurability(brokers: number): TopicDurability {
  if (!Number.isInteger(brokers) || brokers < 1) {
    throw new RangeError(`a cluster has at least one broker, not ${brokers}`)
  }
  const replicationFactor = Math.min(TARGET_REPLICATION_FACTOR, brokers)
  return { replicationFactor, minInsyncReplicas: Math.min(TARGET_MIN_INSYNC_REPLICAS, replicationFactor) }
}

/**
 * One line per setting of a topic weaker than `topicDurability(brokers)` asks for, naming topic and
 * setting (what an operator is told at start); none when it is as strong or stronger.
 */
export function weakerDurability(topic: string, actual: TopicDurability, brokers: number): string[] {
  const wanted = topicDurability(brokers)
  const lines: string[] = []
  if (actual.replicationFactor < wanted.replicationFactor) {
    lines.push(
      `topic ${topic}: replication factor ${actual.replicationFactor}, below ${wanted.replicationFactor} (the cluster has ${brokers} brokers)`,
    )
  }
  if (actual.minInsyncReplicas < wanted.minInsyncReplicas) {
    lines.push(
      `topic ${topic}: min.insync.replicas=${actual.minInsyncReplicas}, below ${wanted.minInsyncReplicas} (an acks=all write is then acknowledged by fewer copies)`,
    )
  }
  return lines
}
