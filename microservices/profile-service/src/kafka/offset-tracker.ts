import { partitionKey } from './partition-chunks.ts'

export interface TopicPartitionOffset {
  topic: string
  partition: number
  offset: number
}

/** A partition's commits: those sent and not answered yet, and what the broker holds as last answered. */
interface PartitionCommits {
  inFlight: number[]
  held: number
}

/**
 * What has been stored versus what has been committed, per partition. A commit carries the
 * offset of the next message to read (last stored + 1), as Kafka expects.
 *
 * Commits are asynchronous and may overlap, and their answers do not always come in the order
 * they were sent: when the group coordinator fails, librdkafka retries a commit that was in flight
 * after a newer one, and both succeed, leaving the broker with the older offset. So the broker is
 * taken to hold the offset of the last answered success, and once nothing is in flight, a
 * partition stored past it is committed again.
 */
export class OffsetTracker {
  readonly #stored = new Map<string, TopicPartitionOffset>()
  readonly #commits = new Map<string, PartitionCommits>()

  /** Records that the message's effect is durable; offsets only move forward. */
  markStored(topic: string, partition: number, offset: number): void {
    const key = partitionKey(topic, partition)
    const previous = this.#stored.get(key)
    if (!previous || offset + 1 > previous.offset)
      this.#stored.set(key, { topic, partition, offset: offset + 1 })
  }

  /**
   * Offsets to commit for the partitions accepted by `include`: those stored past what the broker
   * will hold once the commits in flight are answered.
   */
  pending(include: (key: string) => boolean = () => true): TopicPartitionOffset[] {
    const result: TopicPartitionOffset[] = []
    for (const [key, next] of this.#stored) {
      const commits = this.#commits.get(key)
      const expected = commits ? Math.max(commits.held, ...commits.inFlight) : -1
      if (include(key) && next.offset > expected) result.push({ ...next })
    }
    return result
  }

  /** The offsets were handed to the client, to be answered by `commitAnswered`. */
  markSent(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const key = partitionKey(topic, partition)
      const commits = this.#commits.get(key) ?? { inFlight: [], held: -1 }
      commits.inFlight.push(offset)
      this.#commits.set(key, commits)
    }
  }

  /**
   * A commit's answer: on success the broker now holds these offsets (even below one answered
   * before); a failed commit changes nothing there, and is sent again unless a newer one is in
   * flight. An answer for a commit this tracker did not send (a partition revoked since) is ignored.
   */
  commitAnswered(offsets: readonly TopicPartitionOffset[], succeeded: boolean): void {
    for (const { topic, partition, offset } of offsets) {
      const commits = this.#commits.get(partitionKey(topic, partition))
      const index = commits?.inFlight.indexOf(offset) ?? -1
      if (!commits || index < 0) continue
      commits.inFlight.splice(index, 1)
      if (succeeded) commits.held = offset
    }
  }

  /** A revoked partition's state goes: its next owner starts from the committed offset. */
  forget(key: string): void {
    this.#stored.delete(key)
    this.#commits.delete(key)
  }
}
