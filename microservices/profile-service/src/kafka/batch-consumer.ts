import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { KafkaConsumer, Message, TopicPartition } from 'node-rdkafka'
import { type BatchHandler, ChunkProcessor } from './chunk-processor.ts'
import { type FatalError, FatalErrorWatch } from './client-errors.ts'
import {
  type ConsumerSettings,
  connect,
  createKafkaConsumer,
  disconnectWithin,
  poll,
} from './consumer-client.ts'
import { type PartitionLag, partitionLag } from './consumer-lag.ts'
import { OffsetCommits } from './offset-commits.ts'
import { partitionKey } from './partition-chunks.ts'
import { PartitionRetries } from './partition-retries.ts'
import { OwnedPartitions } from './rebalance.ts'
import { repeatedErrorLog } from './repeated-errors.ts'

/** The engine's settings, plus what the plugin that runs the consumer decides. */
export interface BatchConsumerOptions extends ConsumerSettings {
  topic: string
  handler: BatchHandler
  log: FastifyBaseLogger
  /** librdkafka failed fatally: this consumer polls no more; it is to be closed and replaced. */
  onFatal?: (error: FatalError) => void
}

export interface CloseOptions {
  /** false simulates a crash after processing: nothing more is committed. */
  commit?: boolean
  /** Upper bound for leaving the group, even when the broker is unreachable. */
  timeoutMs?: number
}

/**
 * At-least-once delivery with manual commits: a partition's offset is committed only after the
 * effect of every message before it is durable, and a failed message is retried (its partition
 * paused and rewound) until it succeeds, so nothing is skipped. Handlers must be idempotent.
 */
export class BatchConsumer {
  readonly #options: BatchConsumerOptions
  readonly #consumer: KafkaConsumer
  readonly #commits: OffsetCommits
  readonly #owned: OwnedPartitions
  readonly #retries: PartitionRetries
  readonly #chunks: ChunkProcessor
  #loop: Promise<void> | undefined
  #stopping = false
  #commitOnClose = true
  #processed = 0
  readonly #fatal: FatalErrorWatch

  constructor(options: BatchConsumerOptions) {
    this.#options = options
    const { log } = options
    // The callbacks run only once connected, when every field below is set.
    this.#consumer = createKafkaConsumer(options, {
      onRebalance: (error, assignment) => this.#owned.onRebalance(error, assignment),
      onCommitted: (error, offsets) => this.#commits.onCommitted(error, offsets),
    })
    this.#consumer.on('event.error', repeatedErrorLog(log, 'kafka consumer error'))
    this.#fatal = new FatalErrorWatch(this.#consumer, (error) => options.onFatal?.(error))
    this.#commits = new OffsetCommits(this.#consumer, { intervalMs: options.commitIntervalMs, log })
    this.#owned = new OwnedPartitions(this.#consumer, log, {
      release: (keys) => {
        // After a fatal error librdkafka refuses commits: the next owner gets these messages again.
        if (this.#commitOnClose && !this.#fatal.error) this.#commits.commit((key) => keys.has(key))
        for (const key of keys) {
          this.#chunks.forget(key)
          this.#retries.clear(key)
          this.#commits.forget(key)
        }
      },
      isClosing: () => this.#stopping,
    })
    this.#retries = new PartitionRetries({
      consumer: this.#consumer,
      retry: options.retry,
      log,
      canResume: (key) => this.#owned.has(key) && !this.#stopping,
    })
    this.#chunks = new ChunkProcessor({
      handler: options.handler,
      log,
      retries: this.#retries,
      owns: (key) => this.#owned.has(key),
      isStopping: () => this.#stopping,
      stored: (message, count) => {
        this.#commits.stored(message.topic, message.partition, message.offset)
        this.#processed += count
      },
    })
  }

  get isConnected(): boolean {
    return this.#consumer.isConnected()
  }

  get assignments(): TopicPartition[] {
    return this.#owned.list()
  }

  /** Partitions paused until a failed message is retried. */
  get pausedPartitions(): TopicPartition[] {
    return this.assignments.filter(({ topic, partition }) =>
      this.#retries.isWaiting(partitionKey(topic, partition)),
    )
  }

  /** The lag of the partitions this member holds, asked of the broker (for metrics). */
  lag(timeoutMs: number): Promise<PartitionLag[]> {
    return partitionLag(this.#consumer, this.assignments, timeoutMs)
  }

  /** The fatal error that stopped this consumer, if one did. */
  get fatalError(): FatalError | undefined {
    return this.#fatal.error
  }

  /** Messages whose effect was stored (including duplicates and dead-lettered ones). */
  get processedCount(): number {
    return this.#processed
  }

  async start(connectTimeoutMs = 10_000): Promise<void> {
    await connect(this.#consumer, connectTimeoutMs)
    // Closed while connecting: close() had nothing to disconnect yet.
    if (this.#stopping) {
      await disconnectWithin(this.#consumer, connectTimeoutMs)
      return
    }
    this.#consumer.subscribe([this.#options.topic])
    this.#commits.started()
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
    if (commit) this.#commits.commit((key) => this.#owned.has(key))
    // librdkafka's close waits for the commit above, then revokes (see OwnedPartitions) and leaves the group.
    if (!(await disconnectWithin(this.#consumer, timeoutMs))) {
      this.#options.log.warn({ timeoutMs }, 'kafka consumer did not close in time; giving up on it')
    }
  }

  async #run(): Promise<void> {
    const { gate } = this.#owned
    const owned = (key: string) => this.#owned.has(key)
    let next: Promise<Message[] | undefined> | undefined
    // Two batches at most are in flight: the one before goes on while this one begins.
    let previous: Promise<void> = Promise.resolve()
    gate.loopStarted()
    try {
      while (!this.#halted) {
        const messages = await (next ?? this.#poll())
        next = undefined
        if (messages === undefined) continue
        const batch = this.#chunks.process(messages)
        // The next fetch (librdkafka's queue handed over to JavaScript) overlaps this batch's
        // transactions. Not while a revocation waits: the partitions it hands over must be
        // unassigned before a poll could fetch them again.
        if (!gate.blocksPolls && !this.#halted) next = this.#poll()
        await previous
        this.#commits.commitIfDue(owned)
        previous = batch
        if (next === undefined) {
          await batch
          this.#commits.commitIfDue(owned)
          await gate.settle()
        }
      }
    } finally {
      // No consume may still run when the consumer disconnects; what it fetched is not committed.
      await previous
      await next
      gate.loopEnded()
    }
  }

  /** One consume(n); undefined after a failure (logged, and waited out). */
  async #poll(): Promise<Message[] | undefined> {
    try {
      return await poll(this.#consumer, this.#options.batchSize)
    } catch (err) {
      // Polls no more: the consumer is to be replaced (see FatalErrorWatch).
      if (this.#fatal.check(err)) return undefined
      this.#options.log.warn({ err }, 'kafka poll failed')
      await sleep(this.#options.retry.initialMs)
      return undefined
    }
  }

  get #halted(): boolean {
    return this.#stopping || this.#fatal.error !== undefined
  }
}
