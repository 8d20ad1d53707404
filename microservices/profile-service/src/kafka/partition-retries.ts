import { type BackoffOptions, backoffDelay } from '@kafka-ref/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { KafkaConsumer, TopicPartition } from 'node-rdkafka'
import { partitionKey } from './partition-chunks.ts'

interface RetryState {
  attempt: number
  /** The failed message: the next delivery of the partition must start here. */
  offset: number
  timer: NodeJS.Timeout | undefined
}

export interface PartitionRetriesOptions {
  consumer: Pick<KafkaConsumer, 'pause' | 'resume' | 'seek'>
  retry: BackoffOptions
  log: FastifyBaseLogger
  /** Whether the partition may still be resumed when its delay is over (still owned, not stopping). */
  canResume: (key: string) => boolean
}

/**
 * The partitions waiting to retry a failed message. A failed partition is paused and rewound to the
 * failed message, and resumed after a capped exponential delay; the messages already fetched after
 * it are dropped and fetched again, so none is skipped. Other partitions keep flowing.
 */
export class PartitionRetries {
  readonly #states = new Map<string, RetryState>()

  constructor(private readonly options: PartitionRetriesOptions) {}

  /** True while the partition is paused, waiting for its delay. */
  isWaiting(key: string): boolean {
    return this.#states.get(key)?.timer !== undefined
  }

  /** The offset a retrying partition must be delivered from again, if it is retrying. */
  failedOffset(key: string): number | undefined {
    return this.#states.get(key)?.offset
  }

  /** `at` may be a whole message: only its topic and partition are used. */
  schedule(at: TopicPartition, offset: number, err: Error): void {
    const { consumer, log } = this.options
    const partition = { topic: at.topic, partition: at.partition }
    const key = partitionKey(partition.topic, partition.partition)
    const state = this.#states.get(key) ?? { attempt: 0, offset, timer: undefined }
    state.attempt++
    state.offset = offset
    const delayMs = backoffDelay(state.attempt, this.options.retry)
    log.warn(
      { err, ...partition, offset, attempt: state.attempt, delayMs },
      'message failed; partition paused until retry',
    )
    try {
      consumer.pause([partition])
      consumer.seek({ ...partition, offset }, 0, (error) => {
        if (error) log.warn({ err: error, ...partition, offset }, 'seek failed')
      })
    } catch (error) {
      log.warn({ err: error, ...partition }, 'cannot pause or rewind the partition')
    }
    state.timer = setTimeout(() => {
      state.timer = undefined
      if (!this.options.canResume(key)) return
      try {
        consumer.resume([partition])
      } catch (error) {
        log.warn({ err: error, ...partition }, 'cannot resume the partition')
      }
    }, delayMs)
    this.#states.set(key, state)
  }

  /** The partition's message succeeded (or the partition is gone): forget its failures. */
  clear(key: string): void {
    clearTimeout(this.#states.get(key)?.timer)
    this.#states.delete(key)
  }

  /** Cancels every pending resume (shutdown). */
  cancelAll(): void {
    for (const state of this.#states.values()) clearTimeout(state.timer)
  }
}
