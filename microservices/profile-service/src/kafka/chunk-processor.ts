import type { FastifyBaseLogger } from 'fastify'
import type { Message } from 'node-rdkafka'
import { partitionChunks, partitionKey } from './partition-chunks.ts'
import type { PartitionRetries } from './partition-retries.ts'

/**
 * Applies consecutive messages of one partition together (e.g. in one transaction). A throw means
 * "none of them is done": the consumer then applies them again one at a time (`[message]`), and a
 * message that still fails is retried later, its partition paused meanwhile. Must be idempotent.
 */
export type BatchHandler = (messages: Message[], log: FastifyBaseLogger) => Promise<void>

export interface ChunkProcessorOptions {
  handler: BatchHandler
  log: FastifyBaseLogger
  retries: PartitionRetries
  /** Whether the partition is still this member's. */
  owns(key: string): boolean
  /** True once the consumer is closing: what is left of a batch is delivered again later. */
  isStopping(): boolean
  /** `message` and every message of its partition before it are stored (`count` in this call). */
  stored(message: Message, count: number): void
}

/**
 * Hands a polled batch to the handler, one chunk per partition. Order only matters within a
 * partition, so the partitions' chunks go at once, each on its own (the handler's pool bounds how
 * many reach the database together): while one partition's transaction runs, another one's
 * messages are decoded. A chunk begins only once the chunk of its partition in the batch before is
 * done (stored, or failed and its partition paused).
 */
export class ChunkProcessor {
  readonly #options: ChunkProcessorOptions
  /** Per partition, its last chunk in flight: the next one of that partition waits for it. */
  readonly #lanes = new Map<string, Promise<void>>()

  constructor(options: ChunkProcessorOptions) {
    this.#options = options
  }

  process(messages: Message[]): Promise<void> {
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

  /** A revoked partition. */
  forget(key: string): void {
    this.#lanes.delete(key)
  }

  async #processPartition(key: string, chunk: Message[]): Promise<void> {
    const { retries, owns, isStopping } = this.#options
    // Whatever is left of the batch is not committed and will be delivered again.
    if (isStopping()) return
    const first = chunk[0]!
    if (!owns(key)) return
    if (retries.isWaiting(key)) return
    const failedOffset = retries.failedOffset(key)
    if (failedOffset !== undefined && first.offset > failedOffset) {
      // Never jump past a failed message: rewind to it again.
      retries.schedule(first, failedOffset, new Error('fetched past the failed message'))
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
    const { handler, retries, owns, isStopping } = this.#options
    const first = chunk[0]!
    const last = chunk.at(-1)!
    const log = this.#options.log.child({ topic: first.topic, partition: first.partition })
    if (chunk.length > 1) {
      try {
        await handler(chunk, log)
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
      if (isStopping() || !owns(key)) return
      try {
        await handler([message], log)
      } catch (err) {
        retries.schedule(message, message.offset, err as Error)
        return
      }
      this.#stored(key, message, 1)
    }
  }

  #stored(key: string, message: Message, count: number) {
    this.#options.retries.clear(key)
    this.#options.stored(message, count)
  }
}
