import { partitionKey } from './partition-chunks.ts'

export interface TopicPartitionOffset {
  topic: string
  partition: number
  offset: number
}

/**
 * What has been stored versus what has been committed, per partition. A commit carries the
 * offset of the next message to read (last stored + 1), as Kafka expects.
 */
export class OffsetTracker {
  readonly #stored = new Map<string, TopicPartitionOffset>()
  readonly #committed = new Map<string, number>()

  /** Records that the message's effect is durable; offsets only move forward. */
  markStored(topic: string, partition: number, offset: number): void {
    const key = partitionKey(topic, partition)
    const previous = this.#stored.get(key)
    if (!previous || offset + 1 > previous.offset)
      this.#stored.set(key, { topic, partition, offset: offset + 1 })
  }

  /** Offsets to commit for the partitions accepted by `include`, i.e. those stored past the last commit. */
  pending(include: (key: string) => boolean = () => true): TopicPartitionOffset[] {
    const result: TopicPartitionOffset[] = []
    for (const [key, next] of this.#stored) {
      if (include(key) && next.offset > (this.#committed.get(key) ?? -1)) result.push({ ...next })
    }
    return result
  }

  markCommitted(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const key = partitionKey(topic, partition)
      this.#committed.set(key, Math.max(offset, this.#committed.get(key) ?? -1))
    }
  }

  /** A failed commit is sent again with the next one. */
  commitFailed(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const key = partitionKey(topic, partition)
      if (this.#committed.get(key) === offset) this.#committed.delete(key)
    }
  }

  /** A revoked partition's state goes: its next owner starts from the committed offset. */
  forget(key: string): void {
    this.#stored.delete(key)
    this.#committed.delete(key)
  }
}
