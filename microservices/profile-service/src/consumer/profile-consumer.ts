import type { FastifyBaseLogger } from 'fastify'
import rdkafka, {
  type Assignment,
  type LibrdKafkaError,
  type Message,
  type TopicPartition,
} from 'node-rdkafka'
import { connect, createKafkaConsumer, disconnectWithin, poll } from './kafka-consumer-client.ts'
import { OffsetTracker, partitionKey, type TopicPartitionOffset } from './offset-tracker.ts'
import { partitionChunks } from './partition-chunks.ts'
import { PartitionRetries } from './partition-retries.ts'

/**
 * Applies consecutive messages of one partition together (e.g. in one transaction). A throw means
 * "none of them is done": the consumer then applies them again one at a time (`[message]`), and a
 * message that still fails is retried later, its partition paused meanwhile. Must be idempotent.
 */
export type BatchHandler = (messages: Message[], log: FastifyBaseLogger) => Promise<void>

export interface ProfileConsumerOptions {
  brokers: readonly string[]
  clientId: string
  groupId: string
  topic: string
  batchSize: number
  retryInitialMs: number
  retryMaxMs: number
  start: 'earliest' | 'latest'
  pollTimeoutMs: number
  fetchWaitMaxMs: number
  sessionTimeoutMs: number
  messageMaxBytes: number
  commitIntervalMs: number
  handler: BatchHandler
  log: FastifyBaseLogger
}

export interface CloseOptions {
  /** false simulates a crash after processing: nothing more is committed. */
  commit?: boolean
  /** Upper bound for leaving the group, even when the broker is unreachable. */
  timeoutMs?: number
}

const { ERR__ASSIGN_PARTITIONS, ERR__REVOKE_PARTITIONS } = rdkafka.CODES.ERRORS
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * At-least-once delivery with manual commits: a partition's offset is committed only after the
 * effect of every message before it is durable, and a failed message is retried (its partition
 * paused and rewound) until it succeeds, so nothing is skipped. Handlers must be idempotent.
 */
export class ProfileConsumer {
  readonly #options: ProfileConsumerOptions
  readonly #consumer: rdkafka.KafkaConsumer
  readonly #tracker = new OffsetTracker()
  readonly #owned = new Map<string, TopicPartition>()
  readonly #retries: PartitionRetries
  #loop: Promise<void> | undefined
  #batch: Promise<void> = Promise.resolve()
  #stopping = false
  #commitOnClose = true
  #lastCommitAt = 0
  #processed = 0

  constructor(options: ProfileConsumerOptions) {
    this.#options = options
    this.#consumer = createKafkaConsumer({
      ...options,
      onRebalance: (error, assignment) => this.#onRebalance(error, assignment),
      onCommitted: (error, offsets) => this.#onCommitted(error, offsets),
    })
    this.#consumer.on('event.error', (err) => options.log.warn({ err }, 'kafka consumer error'))
    this.#retries = new PartitionRetries({
      consumer: this.#consumer,
      retryInitialMs: options.retryInitialMs,
      retryMaxMs: options.retryMaxMs,
      log: options.log,
      canResume: (key) => this.#owned.has(key) && !this.#stopping,
    })
  }

  get isConnected(): boolean {
    return this.#consumer.isConnected()
  }

  get assignments(): TopicPartition[] {
    return [...this.#owned.values()]
  }

  /** Partitions paused until a failed message is retried. */
  get pausedPartitions(): TopicPartition[] {
    return this.assignments.filter(({ topic, partition }) =>
      this.#retries.isWaiting(partitionKey(topic, partition)),
    )
  }

  /** Messages whose effect was stored (including duplicates and dead-lettered ones). */
  get processedCount(): number {
    return this.#processed
  }

  async start(connectTimeoutMs = 10_000): Promise<void> {
    await connect(this.#consumer, connectTimeoutMs)
    this.#consumer.subscribe([this.#options.topic])
    this.#lastCommitAt = Date.now()
    this.#loop = this.#run()
  }

  /** Stops polling, lets the message in flight finish, commits what is stored and leaves the group. */
  async close({ commit = true, timeoutMs = 10_000 }: CloseOptions = {}): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    this.#commitOnClose = commit
    this.#retries.cancelAll()
    await this.#loop
    // A handler that failed during the last batch may have scheduled another resume.
    this.#retries.cancelAll()
    if (!this.#consumer.isConnected()) return
    if (commit) this.#commit((key) => this.#owned.has(key))
    // librdkafka's close waits for the commit above, then revokes (see #revoke) and leaves the group.
    if (!(await disconnectWithin(this.#consumer, timeoutMs))) {
      this.#options.log.warn({ timeoutMs }, 'kafka consumer did not close in time; giving up on it')
    }
  }

  async #run(): Promise<void> {
    const { log, retryInitialMs } = this.#options
    while (!this.#stopping) {
      let messages: Message[]
      try {
        messages = await poll(this.#consumer, this.#options.batchSize)
      } catch (err) {
        log.warn({ err }, 'kafka poll failed')
        await sleep(retryInitialMs)
        continue
      }
      // One batch at a time: the next poll waits for this one, which is the backpressure.
      this.#batch = this.#process(messages)
      await this.#batch
      this.#commitIfDue()
    }
  }

  async #process(messages: Message[]): Promise<void> {
    for (const chunk of partitionChunks(messages)) {
      // Whatever is left of the batch is not committed and will be delivered again.
      if (this.#stopping) return
      const first = chunk[0]!
      const key = partitionKey(first.topic, first.partition)
      if (!this.#owned.has(key)) continue
      if (this.#retries.isWaiting(key)) continue
      const failedOffset = this.#retries.failedOffset(key)
      if (failedOffset !== undefined && first.offset > failedOffset) {
        // Never jump past a failed message: rewind to it again.
        this.#retries.schedule(first, failedOffset, new Error('fetched past the failed message'))
        continue
      }
      await this.#processChunk(key, chunk)
    }
  }

  /**
   * One handler call for the whole chunk (one transaction instead of one per message). If it fails,
   * the messages go one by one, so the failing one is isolated: those before it are stored, it is
   * retried (partition paused and rewound to it), nothing after it is stored or committed.
   */
  async #processChunk(key: string, chunk: Message[]): Promise<void> {
    const first = chunk[0]!
    const last = chunk.at(-1)!
    const log = this.#options.log.child({ topic: first.topic, partition: first.partition })
    if (chunk.length > 1) {
      try {
        await this.#options.handler(chunk, log)
        this.#stored(key, last, chunk.length)
        return
      } catch (err) {
        log.warn(
          { err, fromOffset: first.offset, toOffset: last.offset },
          'chunk failed; applying its messages one by one',
        )
      }
    }
    for (const message of chunk) {
      if (this.#stopping || !this.#owned.has(key)) return
      try {
        await this.#options.handler([message], log)
      } catch (err) {
        this.#retries.schedule(message, message.offset, err as Error)
        return
      }
      this.#stored(key, message, 1)
    }
  }

  /** `message` and every message of its partition before it in the batch are stored. */
  #stored(key: string, message: Message, count: number) {
    this.#retries.clear(key)
    this.#tracker.markStored(message.topic, message.partition, message.offset)
    this.#processed += count
  }

  #commitIfDue() {
    if (Date.now() - this.#lastCommitAt < this.#options.commitIntervalMs) return
    this.#commit((key) => this.#owned.has(key))
  }

  /** Asynchronous commit of last stored + 1 per partition; a failure is retried with the next commit. */
  #commit(include: (key: string) => boolean) {
    const offsets = this.#tracker.pending(include)
    this.#lastCommitAt = Date.now()
    if (offsets.length === 0) return
    try {
      this.#consumer.commit(offsets)
      this.#tracker.markCommitted(offsets)
    } catch (err) {
      this.#options.log.warn({ err, offsets }, 'offset commit failed')
    }
  }

  #onCommitted(error: LibrdKafkaError | undefined, offsets: TopicPartitionOffset[]) {
    if (!error) return
    this.#options.log.warn({ err: error, offsets }, 'offset commit failed; retrying with the next one')
    this.#tracker.commitFailed(offsets)
  }

  #onRebalance(error: LibrdKafkaError, assignment: Assignment[]) {
    const { log } = this.#options
    if (error.code === ERR__ASSIGN_PARTITIONS) {
      for (const { topic, partition } of assignment)
        this.#owned.set(partitionKey(topic, partition), { topic, partition })
      try {
        if (this.#consumer.rebalanceProtocol() === 'COOPERATIVE') this.#consumer.incrementalAssign(assignment)
        else this.#consumer.assign(assignment)
        // librdkafka keeps an application pause across unassign and assign: a partition revoked while
        // paused for a retry would come back paused, never fetched again. A newly assigned partition
        // has no retry here, so nothing it carries is ours to keep.
        this.#consumer.resume(assignment)
        log.info({ partitions: assignment.map((tp) => tp.partition) }, 'partitions assigned')
      } catch (err) {
        log.error({ err }, 'cannot take the assigned partitions')
      }
    } else if (error.code === ERR__REVOKE_PARTITIONS) {
      // Stop handling them at once; the message in flight finishes in #revoke.
      for (const { topic, partition } of assignment) this.#owned.delete(partitionKey(topic, partition))
      void this.#revoke(assignment)
    } else {
      log.error({ err: error }, 'rebalance failed')
    }
  }

  /** Commits what was stored for the revoked partitions before handing them over. */
  async #revoke(assignment: Assignment[]) {
    await this.#batch
    const keys = new Set(assignment.map(({ topic, partition }) => partitionKey(topic, partition)))
    if (this.#commitOnClose) this.#commit((key) => keys.has(key))
    for (const key of keys) {
      this.#retries.clear(key)
      this.#tracker.forget(key)
    }
    try {
      // The retry is dropped with the partition, so its pause must go too (see the assign branch).
      // Not when closing: the pauses go with the consumer, and node-rdkafka refuses a resume then.
      if (!this.#stopping) this.#consumer.resume(assignment)
      if (this.#consumer.rebalanceProtocol() === 'COOPERATIVE') this.#consumer.incrementalUnassign(assignment)
      else this.#consumer.unassign()
      this.#options.log.info({ partitions: assignment.map((tp) => tp.partition) }, 'partitions revoked')
    } catch (err) {
      if (this.#consumer.isConnected())
        this.#options.log.error({ err }, 'cannot release the revoked partitions')
    }
  }
}
