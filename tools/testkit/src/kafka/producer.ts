import rdkafka from 'node-rdkafka'
import { uniqueName } from '../unique-name.ts'
import { connect, LARGEST_RECORD } from './connection.ts'
import { type Delivered, headerList, type RawRecord } from './messages.ts'

export interface TestProducerOptions {
  /** librdkafka settings over the defaults, e.g. idempotence and batching for filling a topic. */
  config?: rdkafka.ProducerGlobalConfig
  /** librdkafka topic settings over acks=all, e.g. a short `message.timeout.ms` for a write that may be refused. */
  topicConfig?: rdkafka.ProducerTopicConfig
}

/**
 * A plain node-rdkafka producer (none of the services' code, so the broker sees what any other
 * client would send) whose sends resolve once the broker acknowledged the record (acks=all).
 */
export class TestProducer {
  readonly #producer: rdkafka.Producer
  readonly #pending = new Map<number, (error: Error | null, delivered?: Delivered) => void>()
  #nextId = 0

  private constructor(brokers: string, { config, topicConfig }: TestProducerOptions) {
    this.#producer = new rdkafka.Producer(
      {
        'bootstrap.servers': brokers,
        'client.id': uniqueName('test-producer'),
        dr_cb: true,
        'message.max.bytes': LARGEST_RECORD,
        'linger.ms': 1,
        ...config,
      },
      { acks: -1, ...topicConfig },
    )
    this.#producer.on('delivery-report', (error, report) => {
      const id = report.opaque as number
      const failure = error ? new Error(`delivery failed: ${error.message}`) : null
      this.#pending.get(id)?.(failure, { partition: report.partition, offset: report.offset })
      this.#pending.delete(id)
    })
    // librdkafka reports broker trouble here and retries on its own; sends fail through their reports.
    this.#producer.on('event.error', () => undefined)
  }

  static async connect(brokers: string, options: TestProducerOptions = {}): Promise<TestProducer> {
    const producer = new TestProducer(brokers, options)
    await connect(producer.#producer)
    producer.#producer.setPollInterval(10)
    return producer
  }

  /** Resolves with where the broker stored the record. */
  send(topic: string, record: RawRecord): Promise<Delivered> {
    const id = this.#nextId++
    const value = typeof record.value === 'string' ? Buffer.from(record.value) : record.value
    const headers = record.headers && headerList(record.headers)
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (error, delivered) => (error ? reject(error) : resolve(delivered!)))
      try {
        this.#producer.produce(topic, record.partition ?? null, value, record.key, Date.now(), id, headers)
      } catch (error) {
        this.#pending.delete(id)
        reject(error)
      }
    })
  }

  /** Hands every record to librdkafka at once (it batches them) and resolves when all are acknowledged. */
  sendAll(topic: string, records: readonly RawRecord[]): Promise<Delivered[]> {
    return Promise.all(records.map((record) => this.send(topic, record)))
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#producer.isConnected()) return resolve()
      this.#producer.disconnect(5_000, () => resolve())
    })
  }
}
