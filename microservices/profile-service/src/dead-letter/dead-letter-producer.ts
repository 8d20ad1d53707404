import type { DecodeError } from '@kafka-ref/shared-contracts'
import type { FastifyBaseLogger } from 'fastify'
import rdkafka, { type DeliveryReport, type LibrdKafkaError, type Message } from 'node-rdkafka'
import {
  type DeadLetterRecord,
  deadLetterRecord,
  headersOnlyRecord,
  recordSize,
} from './dead-letter-message.ts'

export interface DeadLetterProducerOptions {
  brokers: readonly string[]
  clientId: string
  topic: string
  /** A publish not acknowledged within this time fails (and the caller retries it). */
  timeoutMs: number
  /** The largest record batch the broker accepts on the topic (its `message.max.bytes`). */
  maxMessageBytes: number
  log: FastifyBaseLogger
}

/** How often the producer is polled; delivery reports only arrive when it is. */
const POLL_INTERVAL_MS = 10
/** A v2 record batch's own header: what the broker's limit counts besides the record. */
const RECORD_BATCH_OVERHEAD_BYTES = 61

const { ERR_MSG_SIZE_TOO_LARGE, ERR_RECORD_LIST_TOO_LARGE } = rdkafka.CODES.ERRORS
/**
 * produce() throws errors with their code, but node-rdkafka 3.6 hands delivery-report errors over
 * as text only (librdkafka's err2str, code -1): those are recognised by that text.
 */
const TOO_LARGE_TEXT = /message size too large|message batch larger than configured server segment size/i
function isTooLarge(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return (
    code === ERR_MSG_SIZE_TOO_LARGE ||
    code === ERR_RECORD_LIST_TOO_LARGE ||
    (typeof message === 'string' && TOO_LARGE_TEXT.test(message))
  )
}

/**
 * Publishes undecodable messages to the dead-letter topic and resolves only once the broker has
 * acknowledged them (acks=all, idempotent), so the original offset is committed only after its
 * copy is safe. Anything the broker accepted can be dead-lettered: a copy too big for the
 * dead-letter topic is cut down to fit (and says so), so no poison message blocks its partition.
 */
export class DeadLetterProducer {
  readonly #producer: rdkafka.Producer
  readonly #topic: string
  readonly #log: FastifyBaseLogger
  /** What librdkafka lets through at produce time; one such record in a batch fits the broker's limit. */
  readonly #maxRecordBytes: number
  readonly #pending = new Map<number, (error: Error | null) => void>()
  #nextId = 0

  constructor(options: DeadLetterProducerOptions) {
    this.#topic = options.topic
    this.#log = options.log
    this.#maxRecordBytes = options.maxMessageBytes - RECORD_BATCH_OVERHEAD_BYTES
    this.#producer = new rdkafka.Producer(
      {
        'metadata.broker.list': options.brokers.join(','),
        'client.id': `${options.clientId}-dead-letter`,
        'enable.idempotence': true,
        'linger.ms': 5,
        // librdkafka's default (1,000,000) is below the broker's (1,048,588): a message the broker
        // accepted could not be copied whole.
        'message.max.bytes': this.#maxRecordBytes,
        dr_cb: true,
      },
      { 'request.required.acks': -1, 'message.timeout.ms': options.timeoutMs },
    )
    this.#producer.on('delivery-report', (error: LibrdKafkaError | null, report: DeliveryReport) => {
      const id = report.opaque as number
      this.#pending.get(id)?.(error ? Object.assign(new Error(error.message), error) : null)
      this.#pending.delete(id)
    })
    // Without a listener, an 'event.error' (e.g. broker down) would throw; librdkafka retries on its own.
    this.#producer.on('event.error', () => undefined)
  }

  get isConnected(): boolean {
    return this.#producer.isConnected()
  }

  async connect(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#producer.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve())),
    )
    this.#producer.setPollInterval(POLL_INTERVAL_MS)
  }

  async publish(message: Message, error: DecodeError): Promise<void> {
    const failedAt = new Date()
    const record = deadLetterRecord(message, error, { maxBytes: this.#maxRecordBytes, failedAt })
    const log = this.#log.child({
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    })
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

  async #send(record: DeadLetterRecord): Promise<void> {
    const id = this.#nextId++
    const delivered = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, (failure) => (failure ? reject(failure) : resolve()))
    })
    try {
      this.#producer.produce(this.#topic, null, record.value, record.key, Date.now(), id, record.headers)
    } catch (failure) {
      this.#pending.delete(id)
      throw failure
    }
    await delivered
  }

  /** Flushes for up to `timeoutMs`, then disconnects; publishes still unacknowledged fail. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#producer.isConnected()) {
      await new Promise<void>((resolve) => this.#producer.disconnect(timeoutMs, () => resolve()))
    }
    for (const fail of this.#pending.values()) fail(new Error('dead-letter producer closed'))
    this.#pending.clear()
  }
}
