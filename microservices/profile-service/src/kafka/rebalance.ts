import type { FastifyBaseLogger } from 'fastify'
import rdkafka, { type Assignment, type LibrdKafkaError, type TopicPartition } from 'node-rdkafka'
import { partitionKey } from './partition-chunks.ts'

const { ERR__ASSIGN_PARTITIONS, ERR__REVOKE_PARTITIONS } = rdkafka.CODES.ERRORS

/** What a revocation needs from the consumer that owns the partitions. */
export interface RevocationSteps {
  /** Commits what was stored for these partitions (unless closing as a crash) and forgets their state. */
  release(keys: ReadonlySet<string>): void
  /** True once close() began. */
  isClosing(): boolean
}

/**
 * Keeps the poll loop and revocations apart. Revoked partitions are released only while the loop
 * holds no batch and no poll: every message fetched before their revocation has then been
 * processed or dropped (as no longer owned). And no poll begins until every revocation under way
 * has unassigned its partitions. So no message of a revoked partition can be stored after it is
 * assigned again (it could follow a gap).
 */
export class RevocationGate {
  /** Revocations under way. */
  #pending = 0
  /** True while the loop holds no batch and no poll, waiting for revocations to finish. */
  #quiet = false
  /** True while the poll loop runs: before it starts and once it ended, revocations wait for nothing. */
  #looping = false
  /** Revocations waiting for the loop to be quiet. */
  readonly #waiting: Array<() => void> = []
  #resume: (() => void) | undefined

  /** True while a revocation is under way: no poll may begin. */
  get blocksPolls(): boolean {
    return this.#pending > 0
  }

  /** A revocation begins: settles once the loop is quiet. */
  enter(): Promise<void> {
    this.#pending++
    if (this.#quiet || !this.#looping) return Promise.resolve()
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  /** That revocation is over (its partitions unassigned, or that failed): polling may go on. */
  leave(): void {
    this.#pending--
    if (this.#pending === 0) this.#resume?.()
  }

  loopStarted(): void {
    this.#looping = true
  }

  loopEnded(): void {
    this.#looping = false
    this.#wake()
  }

  /** The loop, between batches: with revocations under way, stays quiet until they are over. */
  async settle(): Promise<void> {
    if (this.#pending === 0) return
    this.#quiet = true
    const resumed = new Promise<void>((resolve) => {
      this.#resume = resolve
    })
    this.#wake()
    await resumed
    this.#resume = undefined
    this.#quiet = false
  }

  #wake() {
    for (const wake of this.#waiting.splice(0)) wake()
  }
}

/**
 * The partitions this member owns, kept up to date by librdkafka's rebalance callback
 * (cooperative-sticky: incremental assign and unassign). A revoked partition stops being handled
 * at once; it is released only after the chunk in flight finished and what was stored is
 * committed (`gate`, which the poll loop goes through too).
 */
export class OwnedPartitions {
  readonly gate = new RevocationGate()
  readonly #owned = new Map<string, TopicPartition>()
  readonly #consumer: rdkafka.KafkaConsumer
  readonly #log: FastifyBaseLogger
  readonly #revocation: RevocationSteps

  constructor(consumer: rdkafka.KafkaConsumer, log: FastifyBaseLogger, revocation: RevocationSteps) {
    this.#consumer = consumer
    this.#log = log
    this.#revocation = revocation
  }

  has(key: string): boolean {
    return this.#owned.has(key)
  }

  list(): TopicPartition[] {
    return [...this.#owned.values()]
  }

  /** librdkafka's `rebalance_cb`. */
  onRebalance(error: LibrdKafkaError, assignment: Assignment[]): void {
    if (error.code === ERR__ASSIGN_PARTITIONS) {
      this.#assign(assignment)
    } else if (error.code === ERR__REVOKE_PARTITIONS) {
      // Stop handling them at once; the message in flight finishes in #revoke.
      for (const { topic, partition } of assignment) this.#owned.delete(partitionKey(topic, partition))
      void this.#revoke(assignment)
    } else {
      this.#log.error({ err: error }, 'rebalance failed')
    }
  }

  #assign(assignment: Assignment[]) {
    for (const { topic, partition } of assignment)
      this.#owned.set(partitionKey(topic, partition), { topic, partition })
    try {
      if (this.#consumer.rebalanceProtocol() === 'COOPERATIVE') this.#consumer.incrementalAssign(assignment)
      else this.#consumer.assign(assignment)
      // librdkafka keeps an application pause across unassign and assign: a partition revoked while
      // paused for a retry would come back paused, never fetched again. A newly assigned partition
      // has no retry here, so nothing it carries is ours to keep.
      this.#consumer.resume(assignment)
      this.#log.info({ partitions: assignment.map((tp) => tp.partition) }, 'partitions assigned')
    } catch (err) {
      this.#log.error({ err }, 'cannot take the assigned partitions')
    }
  }

  /** Commits what was stored for the revoked partitions before handing them over. */
  async #revoke(assignment: Assignment[]) {
    await this.gate.enter()
    try {
      this.#revocation.release(
        new Set(assignment.map(({ topic, partition }) => partitionKey(topic, partition))),
      )
      // The retry is dropped with the partition, so its pause must go too (see #assign).
      // Not when closing: the pauses go with the consumer, and node-rdkafka refuses a resume then.
      if (!this.#revocation.isClosing()) this.#consumer.resume(assignment)
      if (this.#consumer.rebalanceProtocol() === 'COOPERATIVE') this.#consumer.incrementalUnassign(assignment)
      else this.#consumer.unassign()
      this.#log.info({ partitions: assignment.map((tp) => tp.partition) }, 'partitions revoked')
    } catch (err) {
      if (this.#consumer.isConnected()) this.#log.error({ err }, 'cannot release the revoked partitions')
    } finally {
      this.gate.leave()
    }
  }
}
