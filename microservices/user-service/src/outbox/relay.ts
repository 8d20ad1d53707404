import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import type { EventProducer } from '../kafka/producer-plugin.ts'
import { backoffDelay } from './backoff.ts'
import {
  deletePublishedBefore,
  lockPendingBatch,
  markPublished,
  type PendingMessage,
} from './outbox-repository.ts'
import { WakeSignal } from './wake-signal.ts'

export interface RelayOptions {
  batchSize: number
  pollIntervalMs: number
  retentionMs: number
  cleanupIntervalMs: number
  backoff?: { initialMs: number; maxMs: number }
}

export interface RelayDependencies {
  db: Kysely<Database>
  producer: Pick<EventProducer, 'publish'>
  log: FastifyBaseLogger
}

class RelayStopped extends Error {}

/**
 * Publishes outbox rows to Kafka, oldest first, and marks them published only after the broker
 * acknowledged them. At-least-once by construction; see the README for when a duplicate can occur.
 */
export class OutboxRelay {
  readonly #deps: RelayDependencies
  readonly #options: RelayOptions
  readonly #signal = new WakeSignal()
  #loop: Promise<void> | undefined
  #cleanupTimer: NodeJS.Timeout | undefined
  #cleanup: Promise<unknown> = Promise.resolve()

  constructor(deps: RelayDependencies, options: RelayOptions) {
    this.#deps = deps
    this.#options = options
  }

  start(): void {
    if (this.#loop) return
    this.#loop = this.#run()
    this.#cleanupTimer = setInterval(() => {
      this.#cleanup = this.cleanUp().catch((err) => this.#deps.log.warn({ err }, 'outbox cleanup failed'))
    }, this.#options.cleanupIntervalMs)
    this.#cleanupTimer.unref()
  }

  /** Called right after a commit that added rows: publish now rather than at the next poll. */
  wake(): void {
    this.#signal.wake()
  }

  /** Lets the batch in flight finish (or abandons its retries), then returns. */
  async stop(): Promise<void> {
    this.#signal.close()
    clearInterval(this.#cleanupTimer)
    await Promise.all([this.#loop, this.#cleanup])
  }

  /** Deletes rows published longer ago than the retention. */
  async cleanUp(): Promise<number> {
    const cutoff = new Date(Date.now() - this.#options.retentionMs)
    const deleted = await deletePublishedBefore(this.#deps.db, cutoff)
    if (deleted > 0) this.#deps.log.info({ deleted }, 'deleted published outbox rows')
    return deleted
  }

  async #run(): Promise<void> {
    let failures = 0
    while (!this.#signal.closed) {
      try {
        const published = await this.relayBatch()
        failures = 0
        // A full batch means there is probably more: go on without waiting.
        if (published < this.#options.batchSize) await this.#signal.wait(this.#options.pollIntervalMs)
      } catch (err) {
        if (err instanceof RelayStopped) return
        failures += 1
        this.#deps.log.error({ err }, 'outbox relay failed')
        await this.#signal.wait(backoffDelay(failures, this.#options.backoff), { wakeable: false })
      }
    }
  }

  /**
   * One batch in one transaction: lock, send, mark, commit. The row locks are what keep other
   * instances off these rows while they are being sent, so the transaction spans the send.
   */
  async relayBatch(): Promise<number> {
    return this.#deps.db.transaction().execute(async (trx) => {
      const batch = await lockPendingBatch(trx, this.#options.batchSize)
      if (batch.length === 0) return 0
      await this.#sendUntilAcknowledged(batch)
      await markPublished(
        trx,
        batch.map((row) => row.id),
      )
      this.#deps.log.debug({ count: batch.length, lastId: batch.at(-1)?.id }, 'published outbox rows')
      return batch.length
    })
  }

  /**
   * Retries the very same messages, in the same order, while Kafka is down: the idempotent
   * producer then resends them with the same sequence numbers, so a write the broker stored but
   * could not acknowledge is recognised as a duplicate instead of appended twice.
   */
  async #sendUntilAcknowledged(batch: PendingMessage[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#deps.producer.publish(batch)
        if (attempt > 1)
          this.#deps.log.info({ attempt, count: batch.length }, 'Kafka is back; outbox rows sent')
        return
      } catch (err) {
        if (this.#signal.closed) throw new RelayStopped()
        const delayMs = backoffDelay(attempt, this.#options.backoff)
        this.#deps.log.warn(
          { err: { message: (err as Error).message }, attempt, count: batch.length, delayMs },
          'publishing outbox rows failed; retrying',
        )
        await this.#signal.wait(delayMs, { wakeable: false })
        if (this.#signal.closed) throw new RelayStopped()
      }
    }
  }
}
