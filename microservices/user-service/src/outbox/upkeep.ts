import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import { deletePublishedBefore, failingRows, freeEndedHolds } from './outbox-repository.ts'
import type { RelayState } from './relay-state.ts'

export interface UpkeepDependencies {
  db: Kysely<Database>
  log: FastifyBaseLogger
}

export interface UpkeepOptions {
  pollIntervalMs: number
  retentionMs: number
  cleanupIntervalMs: number
}

/** Deletes rows published longer ago than `retentionMs`; returns how many. */
export async function cleanUp({ db, log }: UpkeepDependencies, retentionMs: number): Promise<number> {
  const deleted = await deletePublishedBefore(db, new Date(Date.now() - retentionMs))
  if (deleted > 0) log.info({ deleted }, 'deleted published outbox rows')
  return deleted
}

/**
 * The relay's chores beside sending (each claim renews its own lease: `lease.ts`): freeing the rows
 * whose hold has ended, counting the rows that keep failing, and deleting published rows past the
 * retention. The first two run from the relay's loop, so they stop with it; the clean-up has a
 * timer of its own.
 */
export class RelayUpkeep {
  readonly #deps: UpkeepDependencies
  readonly #options: UpkeepOptions
  readonly #state: RelayState
  #timer: NodeJS.Timeout | undefined
  #cleanup: Promise<unknown> = Promise.resolve()
  #maintainedAt = Number.NEGATIVE_INFINITY

  constructor(deps: UpkeepDependencies, options: UpkeepOptions, state: RelayState) {
    this.#deps = deps
    this.#options = options
    this.#state = state
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#cleanup = cleanUp(this.#deps, this.#options.retentionMs).catch((err) =>
        this.#deps.log.warn({ err }, 'outbox cleanup failed'),
      )
    }, this.#options.cleanupIntervalMs)
    this.#timer.unref()
  }

  /** Stops the clean-up timer and waits for a clean-up under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#cleanup
  }

  /**
   * Once per poll interval: frees the rows whose hold has ended (a crashed instance's lease, a
   * finished back-off), so the next claim takes them over, and counts the rows that keep failing.
   */
  async maintain(): Promise<void> {
    if (performance.now() - this.#maintainedAt < this.#options.pollIntervalMs) return
    this.#maintainedAt = performance.now()
    const freed = await freeEndedHolds(this.#deps.db)
    if (freed > 0)
      this.#deps.log.info({ count: freed }, 'freed outbox rows whose lease or back-off had ended')
    await this.refreshFailingRows()
  }

  async refreshFailingRows(): Promise<void> {
    try {
      this.#state.failingRows = (await failingRows(this.#deps.db)).rows
    } catch {
      // The claim that follows reports an unreachable database.
    }
  }
}
