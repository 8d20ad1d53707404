import type { FastifyBaseLogger } from 'fastify'
import type { KafkaConsumer, LibrdKafkaError } from 'node-rdkafka'
import { OffsetTracker, type TopicPartitionOffset } from './offset-tracker.ts'

export interface OffsetCommitsOptions {
  /** 0 commits after every batch; more waits this long between commits. */
  intervalMs: number
  log: FastifyBaseLogger
}

/**
 * The consumer's commits: asynchronous, of last stored + 1 per partition, never ahead of what is
 * stored; a commit that fails, or that an older one answered later overwrote, is sent again with
 * the next one (see OffsetTracker).
 */
export class OffsetCommits {
  readonly #tracker = new OffsetTracker()
  readonly #consumer: Pick<KafkaConsumer, 'commit'>
  readonly #options: OffsetCommitsOptions
  #lastCommitAt = 0

  constructor(consumer: Pick<KafkaConsumer, 'commit'>, options: OffsetCommitsOptions) {
    this.#consumer = consumer
    this.#options = options
  }

  /** Consuming begins: the interval counts from now. */
  started(): void {
    this.#lastCommitAt = Date.now()
  }

  /** The message's effect, and that of every message before it in its partition, is durable. */
  stored(topic: string, partition: number, offset: number): void {
    this.#tracker.markStored(topic, partition, offset)
  }

  /** After a batch: commits the partitions accepted by `include` once the interval has passed. */
  commitIfDue(include: (key: string) => boolean): void {
    if (Date.now() - this.#lastCommitAt < this.#options.intervalMs) return
    this.commit(include)
  }

  commit(include: (key: string) => boolean): void {
    const offsets = this.#tracker.pending(include)
    this.#lastCommitAt = Date.now()
    if (offsets.length === 0) return
    try {
      this.#consumer.commit(offsets)
      this.#tracker.markSent(offsets)
    } catch (err) {
      this.#options.log.warn({ err, offsets }, 'offset commit failed')
    }
  }

  /** librdkafka's `offset_commit_cb`. */
  onCommitted(error: LibrdKafkaError | undefined, offsets: TopicPartitionOffset[]): void {
    // librdkafka retries NOT_COORDINATOR and the like itself, and reports a failure of any
    // partition as `error` (node-rdkafka passes no per-partition errors).
    if (error)
      this.#options.log.warn({ err: error, offsets }, 'offset commit failed; retrying with the next one')
    this.#tracker.commitAnswered(offsets, !error)
  }

  /** A revoked partition: its next owner starts from the committed offset. */
  forget(key: string): void {
    this.#tracker.forget(key)
  }
}
