import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { type BackoffOptions, backoffDelay } from '@kafka-ref/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import type { EventProducer } from '../kafka/producer-plugin.ts'
import { Lease } from './lease.ts'
import {
  type ClaimedMessage,
  claimBatch,
  deletePublishedBefore,
  failingRows,
  freeEndedHolds,
  markPublished,
  releaseRows,
} from './outbox-repository.ts'
import { describeSendError, isRejection } from './send-failure.ts'
import { WakeSignal } from './wake-signal.ts'

export interface RelayOptions {
  batchSize: number
  pollIntervalMs: number
  retentionMs: number
  cleanupIntervalMs: number
  /** How long a claim keeps other instances off its rows unless renewed; a crashed one's rows wait this long. */
  leaseMs: number
  /** Sends of a batch Kafka rejects (unknown topic, authorization, too large) before its rows are isolated. */
  sendAttempts: number
  /** Cap of the back-off of rows released after rejections (1 s, doubling per release). */
  releaseBackoffMaxMs: number
  /**
   * How long stop() lets a send in flight run before it interrupts it, so the rows are released
   * within the shutdown budget even when the broker accepts the request and never answers.
   */
  stopTimeoutMs: number
  /** Between retries of a failed claim or send (tests shorten it). */
  backoff?: BackoffOptions
}

/**
 * Between failed sends. The cap is how late the relay notices that Kafka is back (5 s made it up
 * to 5 s of a recovery); a failed send to a down broker is a few refused connections, so 1 s
 * between them is no load on either side.
 */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 1_000 }

export interface RelayDependencies {
  db: Kysely<Database>
  producer: Pick<EventProducer, 'publish' | 'interrupt'>
  log: FastifyBaseLogger
}

/** What the relay has done since it started (read by readiness; the shape metrics are built on). */
export interface RelayState {
  /** Rows this instance sent and marked published. */
  published: number
  /** Produce calls that failed (each resend counts). */
  sendFailures: number
  /** Rows this instance released with a back-off because Kafka kept rejecting them. */
  releasedRows: number
  /** Claims whose rows another instance took over before this one had finished with them. */
  leasesLost: number
  /** Unpublished rows released after rejections, by any instance (refreshed every poll interval). */
  failingRows: number
  /** The latest send failure, one line. */
  lastSendError: string | null
}

type Delivery = { outcome: 'sent' } | { outcome: 'lost' } | { outcome: 'rejected'; error: unknown }

/** Rows claimed together, and the claim's hold on them. */
interface Batch {
  rows: ClaimedMessage[]
  lease: Lease
}

class RelayStopped extends Error {}

/**
 * Publishes outbox rows to Kafka, oldest first, and marks them published only after the broker
 * acknowledged them. Rows are leased, not locked: claimed in one statement, sent outside any
 * transaction, marked in another statement, so a Kafka outage holds no connection and no lock.
 * At-least-once by construction; see the README for when a duplicate can occur.
 *
 * Under a backlog the three steps run as a pipeline: while one batch is sent, the next is claimed
 * and the one before is marked, so the database work hides behind the send. Per-key order still
 * holds because a claim passes over every key an unpublished held row has (the batch being sent
 * is held): a key is never in two batches in flight at once, and its next row is claimed only
 * once the earlier one is marked, i.e. acknowledged. There is never more than one send at a time:
 * the idempotent producer numbers a partition's records when it builds a request and advances the
 * numbers only when the broker answers, so two sends at once would reuse the same sequence numbers
 * and the broker would take the second for a duplicate of the first, acknowledge and drop it.
 */
export class OutboxRelay {
  readonly #deps: RelayDependencies
  readonly #options: RelayOptions
  readonly #signal = new WakeSignal()
  /** Names this instance in `lease_owner`; each claim adds a sequence number. */
  readonly #id = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`
  #claims = 0
  #loop: Promise<void> | undefined
  #cleanupTimer: NodeJS.Timeout | undefined
  #cleanup: Promise<unknown> = Promise.resolve()
  #maintainedAt = Number.NEGATIVE_INFINITY
  readonly #state: RelayState = {
    published: 0,
    sendFailures: 0,
    releasedRows: 0,
    leasesLost: 0,
    failingRows: 0,
    lastSendError: null,
  }

  constructor(deps: RelayDependencies, options: RelayOptions) {
    this.#deps = deps
    this.#options = options
  }

  get state(): Readonly<RelayState> {
    return { ...this.#state }
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

  /**
   * Lets the send in flight finish and its mark (and the one before) complete, gives back the lease
   * on what is unpublished (a batch claimed ahead, a send that failed), then returns. A send the
   * broker has not answered within `stopTimeoutMs` is interrupted and its rows released, rather
   * than held until the process is killed at the end of the shutdown budget and then for
   * `leaseMs` more: if the broker did store it, the next instance's copy is a duplicate either way.
   */
  async stop(): Promise<void> {
    this.#signal.close()
    clearInterval(this.#cleanupTimer)
    const stopped = Promise.all([this.#loop, this.#cleanup])
    const { stopTimeoutMs } = this.#options
    const finished = await Promise.race([
      stopped.then(() => true),
      sleep(stopTimeoutMs, false, { ref: false }),
    ])
    if (finished) return
    this.#deps.log.warn(
      { waitedMs: stopTimeoutMs },
      'Kafka has not answered the send in flight; interrupting it to release its rows before the process stops',
    )
    await this.#deps.producer.interrupt()
    await stopped
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
    /** The next batch, claimed while the one before it is sent. */
    let ahead: Promise<Batch | undefined> | undefined
    /** The mark of the batch sent last, running while the next one is sent. */
    let marking: Promise<void> = Promise.resolve()
    try {
      while (!this.#signal.closed) {
        try {
          await this.#maintain()
          const claiming = ahead ?? this.#claim()
          ahead = undefined
          const batch = await claiming
          failures = 0
          if (!batch) {
            await this.#signal.wait(this.#options.pollIntervalMs)
            continue
          }
          // A full batch means there is probably more: claim the next one while this one is sent.
          const full = batch.rows.length === this.#options.batchSize
          if (full) ahead = handled(this.#claim())
          const { marked } = await this.#dispatch(batch)
          // At most one mark runs behind the send, so a slow database slows the relay down
          // instead of piling up sent batches.
          await marking
          marking = marked
          if (!full) await this.#signal.wait(this.#options.pollIntervalMs)
        } catch (err) {
          if (err instanceof RelayStopped) return
          failures += 1
          this.#deps.log.error({ err }, 'outbox relay failed')
          await this.#signal.wait(backoffDelay(failures, this.#options.backoff ?? DEFAULT_BACKOFF), {
            wakeable: false,
          })
        }
      }
    } finally {
      await marking
      await this.#giveBack(ahead)
    }
  }

  /**
   * One batch on its own: claim (one statement), send until acknowledged, mark (one statement).
   * Nothing is held open in the database in between; the lease keeps other instances off the rows.
   * Returns the number of rows claimed.
   */
  async relayBatch(): Promise<number> {
    const batch = await this.#claim()
    if (!batch) return 0
    await (await this.#dispatch(batch)).marked
    return batch.rows.length
  }

  async #claim(): Promise<Batch | undefined> {
    const owner = `${this.#id}#${++this.#claims}`
    const { leaseMs } = this.#options
    const claimedAt = performance.now()
    const rows = await claimBatch(this.#deps.db, { owner, limit: this.#options.batchSize, leaseMs })
    if (rows.length === 0) return undefined
    return {
      rows,
      lease: new Lease(this.#deps, { owner, ids: rows.map((row) => row.id), leaseMs, claimedAt }),
    }
  }

  /**
   * Sends a batch until the broker acknowledged it (or it is rejected, or its lease lost), and
   * returns its mark, which runs on while the caller sends the next batch. `marked` never rejects:
   * a mark is retried until it succeeds or the relay stops (then the rows are released, to be sent
   * again).
   */
  async #dispatch(batch: Batch): Promise<{ marked: Promise<void> }> {
    const { rows, lease } = batch
    try {
      const delivery = await this.#deliver(rows, lease, this.#options.sendAttempts)
      if (delivery.outcome === 'sent') {
        const marked = this.#markPublished(rows, lease)
          .catch(() => this.#releaseQuietly(lease))
          .finally(() => lease.stop())
        return { marked }
      }
      if (delivery.outcome === 'rejected') await this.#isolate(rows, lease, delivery.error)
      else await this.#leaseLost(lease)
    } catch (err) {
      // Stopping (or the database failing): hand the rows on now rather than when the lease ends.
      await this.#releaseQuietly(lease)
      lease.stop()
      throw err
    }
    lease.stop()
    return { marked: Promise.resolve() }
  }

  /** A batch claimed ahead that will not be sent (the relay stops): free its rows at once. */
  async #giveBack(ahead: Promise<Batch | undefined> | undefined): Promise<void> {
    const batch = await ahead?.catch(() => undefined)
    if (!batch) return
    await this.#releaseQuietly(batch.lease)
    batch.lease.stop()
  }

  async #releaseQuietly(lease: Lease): Promise<void> {
    await this.#release(lease).catch((releaseError: Error) =>
      this.#deps.log.warn(
        { err: { message: releaseError.message }, owner: lease.owner },
        'could not release outbox rows; they are free again once the lease ends',
      ),
    )
  }

  /**
   * Sends until acknowledged. Retries resend the very same messages in the same order:
   * the idempotent producer then reuses their sequence numbers, so a write the broker stored but
   * could not acknowledge is recognised as a duplicate instead of appended twice. Transient
   * failures are retried for as long as they last; `maxRejections` bounds the sends Kafka rejects.
   */
  async #deliver(rows: ClaimedMessage[], lease: Lease, maxRejections: number): Promise<Delivery> {
    let rejections = 0
    for (let attempt = 1; ; attempt++) {
      if (!(await lease.holds())) return { outcome: 'lost' }
      try {
        await this.#deps.producer.publish(rows)
      } catch (err) {
        this.#state.sendFailures += 1
        this.#state.lastSendError = describeSendError(err)
        if (this.#signal.closed) throw new RelayStopped()
        if (isRejection(err) && ++rejections >= maxRejections) return { outcome: 'rejected', error: err }
        const delayMs = backoffDelay(attempt, this.#options.backoff ?? DEFAULT_BACKOFF)
        this.#deps.log.warn(
          { error: this.#state.lastSendError, attempt, count: rows.length, delayMs },
          'publishing outbox rows failed; retrying',
        )
        await this.#signal.wait(delayMs, { wakeable: false })
        if (this.#signal.closed) throw new RelayStopped()
        continue
      }
      if (attempt > 1) this.#deps.log.info({ attempt, count: rows.length }, 'Kafka is back; outbox rows sent')
      return { outcome: 'sent' }
    }
  }

  /** Retries a failed mark: the rows are in Kafka, and resending them is what a lost mark costs. */
  async #markPublished(rows: ClaimedMessage[], lease: Lease): Promise<void> {
    const ids = rows.map((row) => row.id)
    for (let attempt = 1; ; attempt++) {
      try {
        const marked = await lease.settle(ids, () => markPublished(this.#deps.db, lease.owner, ids))
        this.#state.published += marked
        if (marked < ids.length) {
          this.#state.leasesLost += 1
          this.#deps.log.warn(
            { count: ids.length - marked, owner: lease.owner },
            'another instance took over sent outbox rows before they were marked; it sends them again',
          )
        }
        this.#deps.log.debug({ count: marked, lastId: ids.at(-1) }, 'published outbox rows')
        return
      } catch (err) {
        if (this.#signal.closed) throw new RelayStopped()
        this.#deps.log.warn(
          { err: { message: (err as Error).message }, attempt },
          'marking outbox rows failed',
        )
        await this.#signal.wait(backoffDelay(attempt, this.#options.backoff ?? DEFAULT_BACKOFF), {
          wakeable: false,
        })
      }
    }
  }

  /**
   * Kafka keeps rejecting the batch. Something in it cannot be sent (a missing topic, no
   * authorization, a record too large), and it need not be all of it: send the rows one by one,
   * mark those that go through, and release the refused ones with a back-off. A later row of a
   * refused key is not sent; it waits behind its predecessor, as per-key order requires. Other
   * keys, in this batch or later, go on.
   */
  async #isolate(batch: ClaimedMessage[], lease: Lease, error: unknown): Promise<void> {
    if (batch.length === 1) {
      await this.#giveUp(batch, lease, error)
      return
    }
    this.#deps.log.warn(
      { count: batch.length, error: describeSendError(error) },
      'Kafka keeps rejecting an outbox batch; sending its rows one at a time to find the refused ones',
    )
    const refusedKeys = new Set<string>()
    for (const row of batch) {
      if (refusedKeys.has(row.key)) continue
      if (this.#signal.closed) throw new RelayStopped()
      const delivery = await this.#deliver([row], lease, 1)
      if (delivery.outcome === 'lost') return this.#leaseLost(lease)
      if (delivery.outcome === 'sent') await this.#markPublished([row], lease)
      else {
        refusedKeys.add(row.key)
        await this.#giveUp([row], lease, delivery.error)
      }
    }
    // Rows behind a refused one: free now; the claim's order check keeps them waiting for it.
    await this.#release(lease)
  }

  async #giveUp(rows: ClaimedMessage[], lease: Lease, error: unknown): Promise<void> {
    const ids = rows.map((row) => row.id)
    const attempts = Math.max(...rows.map((row) => row.attempts)) + 1
    const maxMs = this.#options.releaseBackoffMaxMs
    const retryInMs = backoffDelay(attempts, { initialMs: Math.min(1000, maxMs), maxMs })
    const reason = describeSendError(error)
    const released = await lease.settle(ids, () =>
      releaseRows(this.#deps.db, lease.owner, ids, { failure: { error: reason, retryInMs } }),
    )
    this.#state.releasedRows += released
    this.#deps.log.error(
      {
        ids,
        keys: [...new Set(rows.map((row) => row.key))],
        topics: [...new Set(rows.map((row) => row.topic))],
        attempts,
        retryInMs,
        error: reason,
      },
      'Kafka rejects outbox rows; released them to retry later (later events of their keys wait)',
    )
    await this.#refreshFailingRows()
  }

  async #leaseLost(lease: Lease): Promise<void> {
    this.#state.leasesLost += 1
    this.#deps.log.warn(
      { owner: lease.owner, count: lease.ids.length },
      'the outbox lease ran out while sending; leaving the rows to whoever holds them now',
    )
    await this.#release(lease)
  }

  /** Frees the rows this claim still holds, for any instance to take at once. */
  async #release(lease: Lease): Promise<void> {
    const ids = lease.ids
    if (ids.length > 0) await lease.settle(ids, () => releaseRows(this.#deps.db, lease.owner, ids))
  }

  /**
   * Once per poll interval: frees the rows whose hold has ended (a crashed instance's lease, a
   * finished back-off), so the next claim takes them over, and counts the rows that keep failing.
   */
  async #maintain(): Promise<void> {
    if (performance.now() - this.#maintainedAt < this.#options.pollIntervalMs) return
    this.#maintainedAt = performance.now()
    const freed = await freeEndedHolds(this.#deps.db)
    if (freed > 0)
      this.#deps.log.info({ count: freed }, 'freed outbox rows whose lease or back-off had ended')
    await this.#refreshFailingRows()
  }

  async #refreshFailingRows(): Promise<void> {
    try {
      this.#state.failingRows = (await failingRows(this.#deps.db)).rows
    } catch {
      // The claim that follows reports an unreachable database.
    }
  }
}

/** Lets a promise be awaited later without its rejection counting as unhandled meanwhile. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}
