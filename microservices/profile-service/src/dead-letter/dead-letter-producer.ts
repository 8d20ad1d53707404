import type { DecodeError } from '@kafka-ref/shared-contracts'
import rdkafka, { type DeliveryReport, type LibrdKafkaError, type Message } from 'node-rdkafka'
import { deadLetterHeaders } from './dead-letter-message.ts'

export interface DeadLetterProducerOptions {
  brokers: readonly string[]
  clientId: string
  topic: string
  /** A publish not acknowledged within this time fails (and the caller retries it). */
  timeoutMs: number
}

/** How often the producer is polled; delivery reports only arrive when it is. */
const POLL_INTERVAL_MS = 10

/**
 * Publishes undecodable messages to the dead-letter topic and resolves only once the broker has
 * acknowledged them (acks=all, idempotent), so the original offset is committed only after its
 * copy is safe.
 */
export class DeadLetterProducer {
  readonly #producer: rdkafka.Producer
  readonly #topic: string
  readonly #pending = new Map<number, (error: Error | null) => void>()
  #nextId = 0

  constructor(options: DeadLetterProducerOptions) {
    this.#topic = options.topic
    this.#producer = new rdkafka.Producer(
      {
        'metadata.broker.list': options.brokers.join(','),
        'client.id': `${options.clientId}-dead-letter`,
        'enable.idempotence': true,
        'linger.ms': 5,
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
    const id = this.#nextId++
    const delivered = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, (failure) => (failure ? reject(failure) : resolve()))
    })
    try {
      this.#producer.produce(
        this.#topic,
        null,
        message.value,
        message.key,
        Date.now(),
        id,
        deadLetterHeaders(message, error),
      )
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
