import { type BackoffOptions, backoffDelay } from '@kafka-ref/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import type { Lease } from './lease.ts'
import { type ClaimedMessage, markPublished, releaseRows } from './outbox-repository.ts'
import type { OutboxPublisher } from './publisher.ts'
import type { RelayState } from './relay-state.ts'
import { describeSendError, isRejection } from './send-failure.ts'
import type { RelayUpkeep } from './upkeep.ts'
import type { WakeSignal } from './wake-signal.ts'

/** Rows claimed together, and the claim's hold on them. */
export interface Batch {
  rows: ClaimedMessage[]
  lease: Lease
}

/** Thrown out of a delivery when the relay stops: the rows have been (or are being) given back. */
export class RelayStopped extends Error {}

export interface DeliveryDependencies {
  db: Kysely<Database>
  publisher: OutboxPublisher
  log: FastifyBaseLogger
  /** The relay's signal: once closed, retries end and the rows are given back. */
  signal: WakeSignal
  state: RelayState
  upkeep: Pick<RelayUpkeep, 'refreshFailingRows'>
}

export interface DeliveryOptions {
  /** Sends of a batch Kafka rejects before its rows are isolated. */
  sendAttempts: number
  releaseBackoffMaxMs: number
  /** Between resends and between retries of a failed mark. */
  backoff: BackoffOptions
}

type Outcome = { outcome: 'sent' } | { outcome: 'lost' } | { outcome: 'rejected'; error: unknown }

/**
 * Takes a claimed batch to the broker and settles it: sends it until acknowledged, marks it
 * published, and when Kafka keeps rejecting it, finds the refused rows and releases them with a
 * back-off. Settling always ends the claim's hold on every row, by a mark or a release.
 */
export class Delivery {
  readonly #deps: DeliveryDependencies
  readonly #options: DeliveryOptions

  constructor(deps: DeliveryDependencies, options: DeliveryOptions) {
    this.#deps = deps
    this.#options = options
  }

  /**
   * Sends a batch until the broker acknowledged it (or it is rejected, or its lease lost), and
   * returns its mark, which runs on while the caller sends the next batch. `marked` never rejects:
   * a mark is retried until it succeeds or the relay stops (then the rows are released, to be sent
   * again).
   */
  async dispatch(batch: Batch): Promise<{ marked: Promise<void> }> {
    const { rows, lease } = batch
    try {
      const delivery = await this.#deliver(rows, lease, this.#options.sendAttempts)
      if (delivery.outcome === 'sent') {
        const marked = this.#markPublished(rows, lease)
          .catch(() => lease.giveBack())
          .finally(() => lease.stop())
        return { marked }
      }
      if (delivery.outcome === 'rejected') await this.#isolate(rows, lease, delivery.error)
      else await this.#leaseLost(lease)
    } catch (err) {
      // Stopping (or the database failing): hand the rows on now rather than when the lease ends.
      await lease.giveBack()
      throw err
    }
    lease.stop()
    return { marked: Promise.resolve() }
  }

  /**
   * Sends until acknowledged. Retries resend the very same messages in the same order:
   * the idempotent producer then reuses their sequence numbers, so a write the broker stored but
   * could not acknowledge is recognised as a duplicate instead of appended twice. Transient
   * failures are retried for as long as they last; `maxRejections` bounds the sends Kafka rejects.
   */
  async #deliver(rows: ClaimedMessage[], lease: Lease, maxRejections: number): Promise<Outcome> {
    const { publisher, signal, state, log } = this.#deps
    let rejections = 0
    for (let attempt = 1; ; attempt++) {
      if (!(await lease.holds())) return { outcome: 'lost' }
      try {
        await publisher.publish(rows)
      } catch (err) {
        state.sendFailures += 1
        state.lastSendError = describeSendError(err)
        if (signal.closed) throw new RelayStopped()
        if (isRejection(err) && ++rejections >= maxRejections) return { outcome: 'rejected', error: err }
        const delayMs = backoffDelay(attempt, this.#options.backoff)
        log.warn(
          { error: state.lastSendError, attempt, count: rows.length, delayMs },
          'publishing outbox rows failed; retrying',
        )
        await signal.wait(delayMs, { wakeable: false })
        if (signal.closed) throw new RelayStopped()
        continue
      }
      if (attempt > 1) log.info({ attempt, count: rows.length }, 'Kafka is back; outbox rows sent')
      return { outcome: 'sent' }
    }
  }

  /** Retries a failed mark: the rows are in Kafka, and resending them is what a lost mark costs. */
  async #markPublished(rows: ClaimedMessage[], lease: Lease): Promise<void> {
    const { db, signal, state, log } = this.#deps
    const ids = rows.map((row) => row.id)
    for (let attempt = 1; ; attempt++) {
      try {
        const marked = await lease.settle(ids, () => markPublished(db, lease.owner, ids))
        state.published += marked
        if (marked < ids.length) {
          state.leasesLost += 1
          log.warn(
            { count: ids.length - marked, owner: lease.owner },
            'another instance took over sent outbox rows before they were marked; it sends them again',
          )
        }
        log.debug({ count: marked, lastId: ids.at(-1) }, 'published outbox rows')
        return
      } catch (err) {
        if (signal.closed) throw new RelayStopped()
        log.warn({ err: { message: (err as Error).message }, attempt }, 'marking outbox rows failed')
        await signal.wait(backoffDelay(attempt, this.#options.backoff), { wakeable: false })
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
      if (this.#deps.signal.closed) throw new RelayStopped()
      const delivery = await this.#deliver([row], lease, 1)
      if (delivery.outcome === 'lost') return this.#leaseLost(lease)
      if (delivery.outcome === 'sent') await this.#markPublished([row], lease)
      else {
        refusedKeys.add(row.key)
        await this.#giveUp([row], lease, delivery.error)
      }
    }
    // Rows behind a refused one: free now; the claim's order check keeps them waiting for it.
    await lease.release()
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
    this.#deps.state.releasedRows += released
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
    await this.#deps.upkeep.refreshFailingRows()
  }

  async #leaseLost(lease: Lease): Promise<void> {
    this.#deps.state.leasesLost += 1
    this.#deps.log.warn(
      { owner: lease.owner, count: lease.ids.length },
      'the outbox lease ran out while sending; leaving the rows to whoever holds them now',
    )
    await lease.release()
  }
}
