import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import { releaseRows, renewLease } from './outbox-repository.ts'

/**
 * One claim's hold on its rows while they are being sent. A send can outlast the lease (the
 * client's own retries, or a long outage between resends), so the lease is renewed every third of
 * its length while held, and checked before every send: a claim that was taken over (its lease
 * ran out while this instance could not renew it) must not send those rows again.
 *
 * Expiry is judged with the local clock from when the claim or renewal was sent, which is never
 * later than the database's: no clock synchronisation between instances is needed.
 */
export class Lease {
  readonly owner: string
  readonly #db: Kysely<Database>
  readonly #log: FastifyBaseLogger
  readonly #leaseMs: number
  readonly #held: Set<string>
  #validUntil: number
  #lost = false
  #renewing: Promise<boolean> | undefined
  #queue: Promise<unknown> = Promise.resolve()
  readonly #timer: NodeJS.Timeout

  constructor(
    deps: { db: Kysely<Database>; log: FastifyBaseLogger },
    claim: { owner: string; ids: readonly string[]; leaseMs: number; claimedAt: number },
  ) {
    this.#db = deps.db
    this.#log = deps.log
    this.owner = claim.owner
    this.#leaseMs = claim.leaseMs
    this.#held = new Set(claim.ids)
    this.#validUntil = claim.claimedAt + claim.leaseMs
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(claim.leaseMs / 3)))
    this.#timer.unref()
  }

  /** Rows still held: claimed and neither marked published nor released. */
  get ids(): string[] {
    return [...this.#held]
  }

  /** True once a renewal found that another claim took over some of the rows. */
  get lost(): boolean {
    return this.#lost
  }

  /**
   * Runs `settle` (which marks or releases `ids`), after which the rows are no longer this claim's
   * business. Renewals never overlap it: one that read the rows before they were settled would
   * otherwise find them gone and take that for a takeover.
   */
  settle<T>(ids: readonly string[], settle: () => Promise<T>): Promise<T> {
    return this.#serially(async () => {
      const result = await settle()
      for (const id of ids) this.#held.delete(id)
      return result
    })
  }

  /** Whether the rows may be sent (again) now: renews first unless it was renewed recently. */
  async holds(): Promise<boolean> {
    if (this.#lost) return false
    if (performance.now() < this.#validUntil - this.#leaseMs / 2) return true
    return this.#renew()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Frees the rows this claim still holds, for any instance to take at once. */
  async release(): Promise<void> {
    const ids = this.ids
    if (ids.length > 0) await this.settle(ids, () => releaseRows(this.#db, this.owner, ids))
  }

  /** Releases the rows and stops renewing; a failure is only logged: the rows are free once the lease ends. */
  async giveBack(): Promise<void> {
    await this.release().catch((releaseError: Error) =>
      this.#log.warn(
        { err: { message: releaseError.message }, owner: this.owner },
        'could not release outbox rows; they are free again once the lease ends',
      ),
    )
    this.stop()
  }

  #serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => undefined)
    return run
  }

  #renew(): Promise<boolean> {
    this.#renewing ??= this.#serially(() => this.#renewOnce()).finally(() => {
      this.#renewing = undefined
    })
    return this.#renewing
  }

  async #renewOnce(): Promise<boolean> {
    if (this.#lost || this.#held.size === 0) return !this.#lost
    const ids = this.ids
    const startedAt = performance.now()
    try {
      const renewed = await renewLease(this.#db, this.owner, ids, this.#leaseMs)
      if (renewed < ids.length) {
        this.#lost = true
        return false
      }
      this.#validUntil = startedAt + this.#leaseMs
      return true
    } catch (err) {
      this.#log.warn(
        { err: { message: (err as Error).message }, owner: this.owner },
        'renewing the outbox lease failed',
      )
      return performance.now() < this.#validUntil
    }
  }
}
