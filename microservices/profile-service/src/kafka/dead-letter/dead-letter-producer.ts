import { setTimeout as sleep } from 'node:timers/promises'
import { type BackoffOptions, backoffDelay } from '@kafka-ref/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type rdkafka from 'node-rdkafka'
import type { DeliveryReport, LibrdKafkaError, Message } from 'node-rdkafka'
import { fatalLogReason, isFatalError } from '../client-errors.ts'
import { repeatedErrorLog } from '../repeated-errors.ts'
import {
  type DeadLetterCause,
  type DeadLetterRecord,
  deadLetterRecord,
  headersOnlyRecord,
  recordSize,
} from './dead-letter-message.ts'
import { DeadLetterTopicCheck, type DeadLetterTopicState } from './dead-letter-topic.ts'
import {
  aborted,
  connectClient,
  disconnectWithin,
  isTooLarge,
  newProducerClient,
  topicExists,
} from './producer-client.ts'

export interface DeadLetterProducerOptions {
  brokers: readonly string[]
  clientId: string
  topic: string
  /** A publish not acknowledged within this time fails (and the caller retries it). */
  timeoutMs: number
  /** The largest record batch the broker accepts on the topic (its `message.max.bytes`). */
  maxMessageBytes: number
  /** Extra librdkafka settings, applied last. */
  settings?: Partial<rdkafka.ProducerGlobalConfig>
  log: FastifyBaseLogger
}

/**
 * `ready` publishes; `recreating` follows a fatal error, until a new librdkafka producer is
 * connected (publishes fail meanwhile, so the messages are retried, never committed).
 */
export type DeadLetterProducerState = 'connecting' | 'ready' | 'recreating' | 'closed'

/** For health details and metrics. */
export interface DeadLetterProducerStatus {
  state: DeadLetterProducerState
  /** Fatal errors since start; each one replaced the librdkafka producer. */
  fatalErrors: number
  lastFatalError?: { message: string; at: string }
  /** Whether the dead-letter topic exists, as the broker last said. */
  topic: DeadLetterTopicState
  /** Publishes that failed since start (each message is retried: its partition waits). */
  publishFailures: number
  /** The last publish failed: a message waits on its partition until one succeeds. */
  publishFailing: boolean
}

/** A v2 record batch's own header: what the broker's limit counts besides the record. */
const RECORD_BATCH_OVERHEAD_BYTES = 61
const RECREATE_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 10_000 }
/** Flush bound for a replaced producer: after a fatal error librdkafka has nothing left to send. */
const RETIRE_TIMEOUT_MS = 1000

interface Pending {
  client: rdkafka.Producer
  settle: (error: Error | null) => void
}

/**
 * Publishes undecodable messages to the dead-letter topic and resolves only once the broker has
 * acknowledged them (acks=all, idempotent), so the original offset is committed only after its
 * copy is safe. Anything the broker accepted can be dead-lettered: a copy too big for the
 * dead-letter topic is cut down to fit (and says so), so no poison message blocks its partition.
 *
 * A fatal librdkafka error (an idempotent producer that can no longer guarantee order or
 * once-ness) makes that producer useless for good: it is logged, reported in `status`, and
 * replaced by a new one; publishes fail until then, so their messages wait, uncommitted.
 */
export class DeadLetterProducer {
  readonly #options: DeadLetterProducerOptions
  readonly #log: FastifyBaseLogger
  /** What librdkafka lets through at produce time; one such record in a batch fits the broker's limit. */
  readonly #maxRecordBytes: number
  readonly #pending = new Map<number, Pending>()
  /** Disconnections of replaced producers, awaited by close(). */
  readonly #retired = new Set<Promise<void>>()
  readonly #stop = new AbortController()
  #client: rdkafka.Producer
  #state: DeadLetterProducerState = 'connecting'
  #fatalErrors = 0
  #lastFatalError: DeadLetterProducerStatus['lastFatalError']
  /** The producer the last fatal error happened on. */
  #fatalClient: rdkafka.Producer | undefined
  #recreation: Promise<void> = Promise.resolve()
  #nextId = 0
  readonly #topicCheck: DeadLetterTopicCheck
  #publishFailures = 0
  #publishFailing = false

  constructor(options: DeadLetterProducerOptions) {
    this.#options = options
    this.#log = options.log
    this.#maxRecordBytes = options.maxMessageBytes - RECORD_BATCH_OVERHEAD_BYTES
    this.#client = this.#createClient()
    this.#topicCheck = new DeadLetterTopicCheck({
      topic: options.topic,
      exists: (timeoutMs) => topicExists(this.#client, options.topic, timeoutMs),
      log: options.log,
    })
  }

  get status(): DeadLetterProducerStatus {
    return {
      state: this.#state,
      fatalErrors: this.#fatalErrors,
      ...(this.#lastFatalError && { lastFatalError: { ...this.#lastFatalError } }),
      topic: this.#topicCheck.state,
      publishFailures: this.#publishFailures,
      publishFailing: this.#publishFailing,
    }
  }

  /**
   * Again after a failure (the consumer's start is retried); nothing to do once connected. Once
   * connected, checks (in the background) that the topic exists.
   */
  async connect(timeoutMs: number): Promise<void> {
    if (this.#state !== 'connecting') return
    await connectClient(this.#client, timeoutMs)
    if (this.#state === 'connecting') {
      this.#state = 'ready'
      void this.#topicCheck.start()
    }
    // Closed while connecting (a shutdown while Kafka was unreachable): close() found nothing to disconnect.
    else if (this.#state === 'closed') await disconnectWithin(this.#client, RETIRE_TIMEOUT_MS)
  }

  /**
   * Resolves once the broker acknowledged the copy. A failure is logged at error (the message's
   * partition now waits: the consumer retries it with back-off, and commits nothing past it),
   * counted, and makes the topic be checked again.
   */
  async publish(message: Message, error: DeadLetterCause): Promise<void> {
    const log = this.#log.child({
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    })
    const deadLetterTopic = this.#options.topic
    try {
      await this.#deliver(message, error, log)
    } catch (failure) {
      this.#publishFailures++
      this.#publishFailing = true
      void this.#topicCheck.check()
      log.error(
        {
          err: failure,
          deadLetterTopic,
          topicState: this.#topicCheck.state,
          publishFailures: this.#publishFailures,
        },
        `dead-letter publish to ${deadLetterTopic} failed; the message's partition waits and retries it`,
      )
      throw failure
    }
    this.#publishFailing = false
    this.#topicCheck.found()
  }

  async #deliver(message: Message, error: DeadLetterCause, log: FastifyBaseLogger): Promise<void> {
    const failedAt = new Date()
    const record = deadLetterRecord(message, error, { maxBytes: this.#maxRecordBytes, failedAt })
    if (record.value !== message.value) log.warn({ size: recordSize(record) }, 'dead-letter copy truncated')
    try {
      await this.#send(record)
    } catch (failure) {
      if (!isTooLarge(failure)) throw failure
      // The topic's limit is below the configured one: the copy that always fits still goes.
      const reason = `the broker refused a copy of ${recordSize(record)} bytes as too large`
      log.warn({ err: failure }, 'dead-letter copy refused as too large; sending its headers only')
      await this.#send(headersOnlyRecord(message, error, reason, failedAt))
    }
  }

  /** Flushes for up to `timeoutMs`, then disconnects; publishes still unacknowledged fail. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#state === 'closed') return
    const connected = this.#state !== 'connecting'
    this.#state = 'closed'
    this.#stop.abort()
    this.#topicCheck.stop()
    await this.#recreation
    // Never connected, nothing to flush: a connect() still under way disconnects when it ends.
    if (connected) await disconnectWithin(this.#client, timeoutMs)
    await Promise.race([Promise.all(this.#retired), sleep(timeoutMs, undefined, { ref: false })])
    this.#failPending(() => true, new Error('dead-letter producer closed'))
  }

  async #send(record: DeadLetterRecord): Promise<void> {
    if (this.#state !== 'ready')
      throw new Error(`dead-letter producer unavailable: ${this.#unavailableReason()}`)
    const client = this.#client
    const id = this.#nextId++
    const delivered = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { client, settle: (failure) => (failure ? reject(failure) : resolve()) })
    })
    try {
      client.produce(this.#options.topic, null, record.value, record.key, Date.now(), id, record.headers)
    } catch (failure) {
      this.#pending.delete(id)
      // librdkafka also logs it as FATAL; whichever comes first starts the recreation.
      if (isFatalError(failure)) this.#onFatal(client, (failure as Error).message)
      throw failure
    }
    await delivered
  }

  #unavailableReason(): string {
    if (this.#state !== 'recreating') return this.#state
    return `recreating it after a fatal error (${this.#lastFatalError?.message})`
  }

  #createClient(): rdkafka.Producer {
    const { brokers, clientId, timeoutMs, settings } = this.#options
    const client = newProducerClient({
      brokers,
      clientId,
      timeoutMs,
      settings,
      maxRecordBytes: this.#maxRecordBytes,
    })
    client.on('delivery-report', (error: LibrdKafkaError | null, report: DeliveryReport) => {
      const id = report.opaque as number
      this.#pending.get(id)?.settle(error ? Object.assign(new Error(error.message), error) : null)
      this.#pending.delete(id)
    })
    // The one signal node-rdkafka passes on that says "fatal" (see fatalLogReason).
    client.on('event.log', (entry: { fac?: string; message?: string }) => {
      const reason = fatalLogReason(entry)
      if (reason !== undefined) this.#onFatal(client, reason, true)
    })
    // Without a listener an 'event.error' would throw. Other errors (e.g. broker down) librdkafka
    // recovers from on its own.
    const warn = repeatedErrorLog(this.#log, 'dead-letter producer error')
    client.on('event.error', (err) => {
      if (isFatalError(err)) this.#onFatal(client, err.message)
      else warn(err)
    })
    return client
  }

  /** `precise`: the reason is librdkafka's own text, not just "Local: Fatal error" from produce(). */
  #onFatal(client: rdkafka.Producer, reason: string, precise = false) {
    if (client === this.#fatalClient && precise && this.#lastFatalError) {
      // produce() noticed first; the log line with the cause came after.
      this.#lastFatalError.message = reason
      this.#log.error({ reason }, 'dead-letter producer fatal error cause')
      return
    }
    if (client !== this.#client || (this.#state !== 'ready' && this.#state !== 'connecting')) return
    this.#state = 'recreating'
    this.#fatalClient = client
    this.#fatalErrors++
    this.#lastFatalError = { message: reason, at: new Date().toISOString() }
    const err = new Error(`dead-letter producer failed fatally: ${reason}`)
    this.#log.error(
      { err, fatalErrors: this.#fatalErrors },
      'dead-letter producer failed fatally; recreating it',
    )
    // Its publishes in flight will never be reported reliably: they fail now and are retried on the new one.
    this.#failPending((pending) => pending.client === client, err)
    this.#retire(disconnectWithin(client, RETIRE_TIMEOUT_MS))
    this.#recreation = this.#recreate()
  }

  /** New producers until one connects, with backoff, unless closed meanwhile. */
  async #recreate(): Promise<void> {
    for (let attempt = 1; this.#state === 'recreating'; attempt++) {
      const client = this.#createClient()
      this.#client = client
      const connecting = connectClient(client, this.#options.timeoutMs)
      try {
        await Promise.race([connecting, aborted(this.#stop.signal)])
      } catch (err) {
        if (this.#state !== 'recreating') {
          // Closed while it connects: once it has, let it go.
          this.#retire(connecting.then(() => disconnectWithin(client, RETIRE_TIMEOUT_MS)))
          return
        }
        // A failed connect cleans up after itself (node-rdkafka disconnects it).
        this.#log.warn({ err, attempt }, 'new dead-letter producer cannot connect yet')
        const delayMs = backoffDelay(attempt, RECREATE_BACKOFF)
        await sleep(delayMs, undefined, { signal: this.#stop.signal }).catch(() => undefined)
        continue
      }
      this.#state = 'ready'
      this.#log.info({ attempt }, 'dead-letter producer recreated')
    }
  }

  /** A replaced producer's disconnection, in the background; close() waits for it (bounded). */
  #retire(disconnection: Promise<void>) {
    const done: Promise<void> = disconnection.catch(() => undefined).finally(() => this.#retired.delete(done))
    this.#retired.add(done)
  }

  #failPending(which: (pending: Pending) => boolean, error: Error) {
    for (const [id, pending] of this.#pending) {
      if (!which(pending)) continue
      this.#pending.delete(id)
      pending.settle(error)
    }
  }
}
