import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { type BackoffOptions, backoffDelay } from '@kafka-ref/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import { type Batch, Delivery, RelayStopped } from './delivery.ts'
import { Lease } from './lease.ts'
import { claimBatch } from './outbox-repository.ts'
import type { OutboxPublisher } from './publisher.ts'
import { emptyRelayState, type RelayState } from './relay-state.ts'
import { RelayUpkeep } from './upkeep.ts'
import { WakeSignal } from './wake-signal.ts'

export type { RelayState } from './relay-state.ts'

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
  publisher: OutboxPublisher
  log: FastifyBaseLogger
}

/** Lets relayBatch reach into a relay without that being part of the relay's own API. */
let runOneBatch: (relay: OutboxRelay) => Promise<number>

/**
 * Publishes outbox rows to Kafka, oldest first, and marks them published only after the broker
 * acknowledged them. Rows are leased, not locked: claimed in one statement, sent outside any
 * transaction, marked in another statement, so a Kafka outage holds no connection and no lock.
 * At-least-once by construction; see the README for when a duplicate can occur.
 *
 * This is the pipeline: it claims batches and hands them to its delivery (`delivery.ts`: send,
 * mark, isolate rejected rows), while its upkeep (`upkeep.ts`, and each claim's `lease.ts`) does
 * the chores. Under a backlog the three steps overlap: while one batch is sent, the next is claimed
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
  readonly #backoff: BackoffOptions
  readonly #signal = new WakeSignal()
  readonly #state: RelayState = emptyRelayState()
  readonly #upkeep: RelayUpkeep
  readonly #delivery: Delivery
  /** Names this instance in `lease_owner`; each claim adds a sequence number. */
  readonly #id = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`
  #claims = 0
  #loop: Promise<void> | undefined

  constructor(deps: RelayDependencies, options: RelayOptions) {
    this.#deps = deps
    this.#options = options
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF
    this.#upkeep = new RelayUpkeep(deps, options, this.#state)
    this.#delivery = new Delivery(
      { ...deps, signal: this.#signal, state: this.#state, upkeep: this.#upkeep },
      { ...options, backoff: this.#backoff },
    )
  }

  static {
    runOneBatch = async (relay) => {
      const batch = await relay.#claim()
      if (!batch) return 0
      await (await relay.#delivery.dispatch(batch)).marked
      return batch.rows.length
    }
  }

  get state(): Readonly<RelayState> {
    return { ...this.#state }
  }

  start(): void {
    if (this.#loop) return
    this.#loop = this.#run()
    this.#upkeep.start()
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
    const stopped = Promise.all([this.#loop, this.#upkeep.stop()])
    const { stopTimeoutMs } = this.#options
    const finished = await Promise.race([
      stopped.then(() => true),
      sleep(stopTimeoutMs, false, { ref: false }),
    ])
    if (finished) return
    this.#deps.log.warn(
      { waitedMs: stopTimeoutMs },
      'the relay did not stop in time (Kafka not answering a send?); interrupting the send to release its rows',
    )
    await this.#deps.publisher
      .interrupt()
      .catch((err: Error) =>
        this.#deps.log.warn({ err: { message: err.message } }, 'interrupting the send failed'),
      )
    await stopped
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
          await this.#upkeep.maintain()
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
          const { marked } = await this.#delivery.dispatch(batch)
          // At most one mark runs behind the send, so a slow database slows the relay down
          // instead of piling up sent batches.
          await marking
          marking = marked
          if (!full) await this.#signal.wait(this.#options.pollIntervalMs)
        } catch (err) {
          if (err instanceof RelayStopped) return
          failures += 1
          this.#deps.log.error({ err }, 'outbox relay failed')
          await this.#signal.wait(backoffDelay(failures, this.#backoff), { wakeable: false })
        }
      }
    } finally {
      await marking
      // A batch claimed ahead that will not be sent: free its rows at once.
      await (await ahead?.catch(() => undefined))?.lease.giveBack()
    }
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
}

/**
 * One batch on its own, outside the pipeline (a seam for tests): claim (one statement), send until
 * acknowledged, mark (one statement). Nothing is held open in the database in between; the lease
 * keeps other instances off the rows. Returns the number of rows claimed.
 */
export function relayBatch(relay: OutboxRelay): Promise<number> {
  return runOneBatch(relay)
}

/** Lets a promise be awaited later without its rejection counting as unhandled meanwhile. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}
