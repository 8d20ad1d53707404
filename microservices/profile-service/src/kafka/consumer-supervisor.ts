import { setTimeout as sleep } from 'node:timers/promises'
import { type BackoffOptions, backoffDelay } from '@kafka-ref/service-kit'
import type { TopicPartition } from 'node-rdkafka'
import { BatchConsumer, type BatchConsumerOptions, type CloseOptions } from './batch-consumer.ts'
import { errorCodeName, type FatalError, type FatalErrorCode } from './client-errors.ts'
import type { PartitionLag } from './consumer-lag.ts'

/**
 * `connecting`: an attempt under way; `retrying`: waiting to try again, after a failed attempt or
 * a fatal error; `running`: connected, subscribed and polling; `stopped`: not started, or closed.
 */
export const CONSUMER_STATES = ['connecting', 'running', 'retrying', 'stopped'] as const
export type ConsumerState = (typeof CONSUMER_STATES)[number]

/** `fenced`: a static member until another instance took its name; a dynamic one since. */
export type Membership = 'dynamic' | 'static' | 'fenced'

/** For health details and metrics: codes and counts only (librdkafka's texts may name brokers). */
export interface ConsumerStatus {
  state: ConsumerState
  /** Failed attempts to connect since the consumer last connected. */
  failedAttempts: number
  /** librdkafka's code of the last failed attempt (e.g. `ERR__TRANSPORT`), until one succeeds. */
  lastError?: string
  /** Fatal errors since start; each replaced the librdkafka consumer. */
  fatalErrors: number
  lastFatalError?: FatalErrorCode
  membership: Membership
}

export interface ConsumerSupervisorOptions {
  consumer: Omit<BatchConsumerOptions, 'onFatal'>
  /** How long one attempt to connect may take. */
  connectTimeoutMs: number
  /** Done before each attempt (e.g. connecting the dead-letter producer); a failure fails the attempt. */
  prepare?: (timeoutMs: number) => Promise<void>
}

/** Between attempts to connect, and before replacing a consumer that failed fatally. */
const RETRY_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000 }

/**
 * Runs a BatchConsumer in the background and keeps one running: reads need only the database, so
 * the service starts (and serves) while Kafka is unreachable, and the consumer joins once it can.
 * A failed attempt to connect is retried with backoff; a consumer that failed fatally (librdkafka
 * gives up on its handle for good) is closed and replaced by a new one, also with backoff.
 *
 * A static member fenced by another instance with the same `group.instance.id` (two instances
 * given one name) comes back as a dynamic member: back under its name it would fence the other
 * instance, which would do the same, a rebalance each time, for ever; exiting would do the same
 * through the orchestrator's restarts and take this instance's reads down too. As a dynamic
 * member it keeps consuming its share; the name stays with the instance that took it last. The
 * error log, `status` and the metrics say so until an operator gives each instance its own name.
 */
export class ConsumerSupervisor {
  readonly #options: ConsumerSupervisorOptions
  readonly #stop = new AbortController()
  readonly #fatalCounts = new Map<FatalErrorCode, number>()
  #status: ConsumerStatus
  #current: BatchConsumer | undefined
  /** Messages processed by the consumers replaced so far. */
  #processedBefore = 0
  #closing: Promise<void> | undefined

  constructor(options: ConsumerSupervisorOptions) {
    this.#options = options
    const membership = options.consumer.groupInstanceId === undefined ? 'dynamic' : 'static'
    this.#status = { state: 'stopped', failedAttempts: 0, fatalErrors: 0, membership }
  }

  get status(): ConsumerStatus {
    return { ...this.#status }
  }

  /** Fatal errors since start, by code (for metrics). */
  get fatalErrorCounts(): ReadonlyMap<FatalErrorCode, number> {
    return this.#fatalCounts
  }

  get isConnected(): boolean {
    return this.#current?.isConnected ?? false
  }

  get assignments(): TopicPartition[] {
    return this.#current?.assignments ?? []
  }

  /** Partitions paused until a failed message is retried. */
  get pausedPartitions(): TopicPartition[] {
    return this.#current?.pausedPartitions ?? []
  }

  lag(timeoutMs: number): Promise<PartitionLag[]> {
    return this.#current?.lag(timeoutMs) ?? Promise.resolve([])
  }

  /** Messages whose effect was stored, by this consumer and the ones it replaced. */
  get processedCount(): number {
    return this.#processedBefore + (this.#current?.processedCount ?? 0)
  }

  /** Returns at once: connecting (and every retry) happens in the background, until close(). */
  start(): void {
    this.#supervise().catch((err) =>
      this.#options.consumer.log.error({ err }, 'kafka consumer supervision failed; consuming stopped'),
    )
  }

  /**
   * The running consumer's close(). An attempt to connect still under way is not waited for: it
   * has nothing to commit, and disconnects what it connected once it ends (BatchConsumer.start).
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options)
    return this.#closing
  }

  async #close({ commit = true, timeoutMs = 10_000 }: CloseOptions): Promise<void> {
    this.#stop.abort()
    await this.#current?.close({ commit, timeoutMs })
    this.#status.state = 'stopped'
  }

  async #supervise(): Promise<void> {
    const { signal } = this.#stop
    while (!signal.aborted) {
      let reportFatal: (error: FatalError) => void = () => undefined
      const failed = new Promise<FatalError>((resolve) => {
        reportFatal = resolve
      })
      const consumer = this.#replace({ ...this.#consumerOptions(), onFatal: (error) => reportFatal(error) })
      if (!(await this.#connect(consumer))) {
        await this.#pause(backoffDelay(this.#status.failedAttempts, RETRY_BACKOFF))
        continue
      }
      const error = await Promise.race([failed, aborted(signal)])
      if (error === undefined) return
      await consumer.close({ commit: false, timeoutMs: this.#options.connectTimeoutMs })
      // By now with its cause: librdkafka logs it before the poll returns it.
      this.#onFatal(consumer.fatalError ?? error)
      await this.#pause(backoffDelay(this.#status.fatalErrors, RETRY_BACKOFF))
    }
  }

  #consumerOptions(): Omit<BatchConsumerOptions, 'onFatal'> {
    const { consumer } = this.#options
    return this.#status.membership === 'fenced' ? { ...consumer, groupInstanceId: undefined } : consumer
  }

  #replace(options: BatchConsumerOptions): BatchConsumer {
    this.#processedBefore += this.#current?.processedCount ?? 0
    this.#current = new BatchConsumer(options)
    return this.#current
  }

  /** True once the consumer runs; false after a failed attempt (or a close meanwhile). */
  async #connect(consumer: BatchConsumer): Promise<boolean> {
    const { connectTimeoutMs, prepare, consumer: options } = this.#options
    this.#status.state = 'connecting'
    try {
      await prepare?.(connectTimeoutMs)
      if (this.#stop.signal.aborted) return false
      await consumer.start(connectTimeoutMs)
    } catch (err) {
      if (this.#stop.signal.aborted) return false
      const failedAttempts = this.#status.failedAttempts + 1
      this.#status = { ...this.#status, state: 'retrying', failedAttempts, lastError: errorCodeName(err) }
      options.log.warn({ err, failedAttempts }, 'kafka consumer cannot connect yet; retrying')
      return false
    }
    if (this.#stop.signal.aborted) return false
    const { lastError: _, ...status } = this.#status
    this.#status = { ...status, state: 'running', failedAttempts: 0 }
    options.log.info({ membership: status.membership }, 'consuming')
    return true
  }

  #onFatal(error: FatalError) {
    const { membership } = this.#status
    const fenced = error.code === 'ERR_FENCED_INSTANCE_ID' && membership === 'static'
    this.#fatalCounts.set(error.code, (this.#fatalCounts.get(error.code) ?? 0) + 1)
    this.#status = {
      ...this.#status,
      state: this.#stop.signal.aborted ? 'stopped' : 'retrying',
      fatalErrors: this.#status.fatalErrors + 1,
      lastFatalError: error.code,
      membership: fenced ? 'fenced' : membership,
    }
    this.#options.consumer.log.error(
      {
        code: error.code,
        reason: error.reason,
        fatalErrors: this.#status.fatalErrors,
        membership: this.#status.membership,
      },
      'kafka consumer failed fatally; recreating it',
    )
  }

  #pause(delayMs: number): Promise<void> {
    return sleep(delayMs, undefined, { signal: this.#stop.signal }).catch(() => undefined)
  }
}

/** Resolves (with nothing) once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<undefined> {
  if (signal.aborted) return Promise.resolve(undefined)
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }))
}
