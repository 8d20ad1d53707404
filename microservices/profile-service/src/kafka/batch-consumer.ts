import type { FastifyBaseLogger } from 'fastify'
import type { KafkaConsumer, LibrdKafkaError, Message, TopicPartition } from 'node-rdkafka'
import { type FatalError, fatalErrorCode, fatalLogReason, isFatalError } from './client-errors.ts'
import {
  type ConsumerConfig,
  type ConsumerIdentity,
  connect,
  createKafkaConsumer,
  disconnectWithin,
  poll,
} from './consumer-client.ts'
import { type PartitionLag, partitionLag } from './consumer-lag.ts'
import { OffsetTracker, type TopicPartitionOffset } from './offset-tracker.ts'
import { partitionChunks, partitionKey } from './partition-chunks.ts'
import { PartitionRetries } from './partition-retries.ts'
import { OwnedPartitions } from './rebalance.ts'
import { repeatedErrorLog } from './repeated-errors.ts'

/**
 * Applies consecutive messages of one partition together (e.g. in one transaction). A throw means
 * "none of them is done": the consumer then applies them again one at a time (`[message]`), and a
 * message that still fails is retried later, its partition paused meanwhile. Must be idempotent.
 */
export type BatchHandler = (messages: Message[], log: FastifyBaseLogger) => Promise<void>

/** The parsed settings, plus what the plugin that runs the consumer decides. */
export interface BatchConsumerOptions extends ConsumerConfig, ConsumerIdentity {
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * At-least-once delivery with manual commits: a partition's offset is committed only after the
 * effect of every message before it is durable, and a failed message is retried (its partition
 * paused and rewound) until it succeeds, so nothing is skipped. Handlers must be idempotent.
 */
export class BatchConsumer {
  readonly #options: BatchConsumerOptions
  readonly #consumer: KafkaConsumer
  readonly #tracker = new OffsetTracker()
  readonly #owned: OwnedPartitions
  readonly #retries: PartitionRetries
  #loop: Promise<void> | undefined
  #loopDone = false
  /** Revocations under way: no poll may begin until their partitions are unassigned. */
  #revoking = 0
  /** True while the loop holds no batch and no poll, waiting for revocations to finish. */
  #quiet = false
  /** Revocations waiting for the loop to be quiet. */
  readonly #quietWaiters: Array<() => void> = []
  #resumeLoop: (() => void) | undefined
  /** Per partition, its last chunk in flight: the next one of that partition waits for it. */
  readonly #lanes = new Map<string, Promise<void>>()
  #stopping = false
  #commitOnClose = true
  #lastCommitAt = 0
  #processed = 0
  #fatal: FatalError | undefined

  constructor(options: BatchConsumerOptions) {
    this.#options = options
    // The callbacks run only once connected, when every field below is set.
    this.#consumer = createKafkaConsumer(options, {
      onRebalance: (error, assignment) => this.#owned.onRebalance(error, assignment),
      onCommitted: (error, offsets) => this.#onCommitted(error, offsets),
    })
    this.#consumer.on('event.error', repeatedErrorLog(options.log, 'kafka consumer error'))
    this.#consumer.on('event.log', (entry) => {
      const reason = fatalLogReason(entry)
      if (reason !== undefined) this.#onFatal({ code: fatalErrorCode(reason), reason }, { cause: true })
    })
    this.#owned = new OwnedPartitions(this.#consumer, options.log, {
      batchDone: () => this.#untilQuiet(),
      revoked: () => {
        this.#revoking--
        if (this.#revoking === 0) this.#resumeLoop?.()
      },
      release: (keys) => {
        // After a fatal error librdkafka refuses commits: the next owner gets these messages again.
        if (this.#commitOnClose && !this.#fatal) this.#commit((key) => keys.has(key))
        for (const key of keys) {
          this.#lanes.delete(key)
          this.#retries.clear(key)
          this.#tracker.forget(key)
        }
      },
      isClosing: () => this.#stopping,
    })
    this.#retries = new PartitionRetries({
      consumer: this.#consumer,
      retry: options.retry,
      log: options.log,
      canResume: (key) => this.#owned.has(key) && !this.#stopping,
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
    return this.#fatal
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
    // librdkafka's close waits for the commit above, then revokes (see OwnedPartitions) and leaves the group.
    if (!(await disconnectWithin(this.#consumer, timeoutMs))) {
      this.#options.log.warn({ timeoutMs }, 'kafka consumer did not close in time; giving up on it')
    }
  }

  async #run(): Promise<void> {
    let next: Promise<Message[] | undefined> | undefined
    // Two batches at most are in flight: the one before goes on while this one begins.
    let previous: Promise<void> = Promise.resolve()
    try {
      while (!this.#halted) {
        const messages = await (next ?? this.#poll())
        next = undefined
        if (messages === undefined) continue
        const batch = this.#process(messages)
        // The next fetch (librdkafka's queue handed over to JavaScript) overlaps this batch's
        // transactions. Not while a revocation waits: the partitions it hands over must be
        // unassigned before a poll could fetch them again.
        if (this.#revoking === 0 && !this.#halted) next = this.#poll()
        await previous
        this.#commitIfDue()
        previous = batch
        if (next === undefined) {
          await batch
          this.#commitIfDue()
          await this.#settleRevocations()
        }
      }
    } finally {
      // No consume may still run when the consumer disconnects; what it fetched is not committed.
      await previous
      await next
      this.#loopDone = true
      this.#wakeQuietWaiters()
    }
  }

  /** One consume(n); undefined after a failure (logged, and waited out). */
  async #poll(): Promise<Message[] | undefined> {
    try {
      return await poll(this.#consumer, this.#options.batchSize)
    } catch (err) {
      // No cause comes with it: librdkafka's log line has it (see the constructor), usually first.
      if (isFatalError(err)) {
        this.#onFatal({ code: 'ERR__FATAL', reason: (err as Error).message })
        return undefined
      }
      this.#options.log.warn({ err }, 'kafka poll failed')
      await sleep(this.#options.retry.initialMs)
      return undefined
    }
  }

  get #halted(): boolean {
    return this.#stopping || this.#fatal !== undefined
  }

  /** The first report stops polling; librdkafka's log line (`cause`) replaces the poll's causeless one. */
  #onFatal(error: FatalError, { cause = false } = {}) {
    const first = this.#fatal === undefined
    if (first || cause) this.#fatal = error
    if (first) this.#options.onFatal?.(error)
  }

  /**
   * Revoked partitions are released only while the loop holds no batch and no poll: every
   * message fetched before their revocation has then been processed or dropped (as no longer
   * owned), so none can be stored after they are assigned again (it could follow a gap).
   */
  #untilQuiet(): Promise<void> {
    this.#revoking++
    if (this.#quiet || this.#loopDone || this.#loop === undefined) return Promise.resolve()
    return new Promise((resolve) => this.#quietWaiters.push(resolve))
  }

  async #settleRevocations(): Promise<void> {
    if (this.#revoking === 0) return
    this.#quiet = true
    const resumed = new Promise<void>((resolve) => {
      this.#resumeLoop = resolve
    })
    this.#wakeQuietWaiters()
    await resumed
    this.#resumeLoop = undefined
    this.#quiet = false
  }

  #wakeQuietWaiters() {
    for (const wake of this.#quietWaiters.splice(0)) wake()
  }

  /**
   * The partitions' chunks at once, each on its own (the handler's pool bounds how many reach the
   * database together): while one partition's transaction runs, another one's messages are
   * decoded. Order only matters within a partition: a chunk begins only once the chunk of its
   * partition in the batch before is done (stored, or failed and its partition paused).
   */
  #process(messages: Message[]): Promise<void> {
    return Promise.all(
      partitionChunks(messages).map((chunk) => {
        const key = partitionKey(chunk[0]!.topic, chunk[0]!.partition)
        const done = (this.#lanes.get(key) ?? Promise.resolve()).then(() =>
          this.#processPartition(key, chunk),
        )
        this.#lanes.set(key, done)
        return done
      }),
    ).then(() => undefined)
  }

  async #processPartition(key: string, chunk: Message[]): Promise<void> {
    // Whatever is left of the batch is not committed and will be delivered again.
    if (this.#stopping) return
    const first = chunk[0]!
    if (!this.#owned.has(key)) return
    if (this.#retries.isWaiting(key)) return
    const failedOffset = this.#retries.failedOffset(key)
    if (failedOffset !== undefined && first.offset > failedOffset) {
      // Never jump past a failed message: rewind to it again.
      this.#retries.schedule(first, failedOffset, new Error('fetched past the failed message'))
      return
    }
    await this.#processChunk(key, chunk)
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
}
