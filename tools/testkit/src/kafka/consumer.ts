import rdkafka, { type Message } from 'node-rdkafka'
import { connect, consumerConfig, disconnect } from './connection.ts'

export interface TestConsumerOptions {
  /** Default: a fresh group, so a subscription reads the topic from its beginning. */
  groupId?: string
  /** Reads these partitions from offset 0 without joining the group (assign); default: subscribe. */
  partitions?: readonly number[]
  /** librdkafka settings over the defaults, e.g. a service's consumer settings for a baseline. */
  config?: rdkafka.ConsumerGlobalConfig
  /** How long one poll() waits for a message. Default 200 ms. */
  pollTimeoutMs?: number
  /** Most messages one poll() returns. Default 100. */
  batchSize?: number
}

export interface TakeOptions {
  /** Give up waiting for `count` after this long and return what arrived. Default 30 s. */
  timeoutMs?: number
  /** Once `count` arrived, keep reading this long: a message too many (a duplicate) shows up too. */
  settleMs?: number
}

/**
 * A node-rdkafka consumer for tests and baselines: the non-flowing consume(n) API (flowing mode
 * sleeps between idle polls), manual commits, promise wrappers for what the tests use.
 */
export class TestConsumer {
  /** Every message take() returned, in order. */
  readonly received: Message[] = []
  readonly #consumer: rdkafka.KafkaConsumer
  readonly #batchSize: number

  private constructor(consumer: rdkafka.KafkaConsumer, batchSize: number) {
    this.#consumer = consumer
    this.#batchSize = batchSize
  }

  static async connect(brokers: string, topic: string, options: TestConsumerOptions = {}) {
    const consumer = await connect(
      new rdkafka.KafkaConsumer(
        { ...consumerConfig(brokers, options.groupId), ...options.config },
        { 'auto.offset.reset': 'earliest' },
      ),
    )
    consumer.setDefaultConsumeTimeout(options.pollTimeoutMs ?? 200)
    if (options.partitions) {
      consumer.assign(options.partitions.map((partition) => ({ topic, partition, offset: 0 })))
    } else {
      consumer.subscribe([topic])
    }
    return new TestConsumer(consumer, options.batchSize ?? 100)
  }

  /** One consume(n) call: what arrives within the poll timeout, at most `max` messages. */
  poll(max = this.#batchSize): Promise<Message[]> {
    return new Promise((resolve, reject) =>
      this.#consumer.consume(max, (error, messages) => (error ? reject(error) : resolve(messages))),
    )
  }

  /**
   * Reads until `count` messages arrived (then `settleMs` longer) or `timeoutMs` passed, and returns
   * them all: a test asserts the length, so too few and too many both show in its failure.
   */
  async take(count: number, { timeoutMs = 30_000, settleMs = 0 }: TakeOptions = {}): Promise<Message[]> {
    const taken: Message[] = []
    const deadline = Date.now() + timeoutMs
    let settledAt: number | undefined
    for (;;) {
      if (taken.length >= count) {
        settledAt ??= Date.now() + settleMs
        if (Date.now() >= settledAt) break
      } else if (Date.now() >= deadline) {
        break
      }
      taken.push(...(await this.poll(taken.length < count ? count - taken.length : this.#batchSize)))
    }
    this.received.push(...taken)
    return taken
  }

  /** Commits `message.offset + 1`, the next offset this group reads, and waits for the broker. */
  commit(message: Message): void {
    this.#consumer.commitMessageSync(message)
  }

  /** The partitions this member holds now. */
  assignedPartitions(): number[] {
    return this.#consumer
      .assignments()
      .map((assignment) => assignment.partition)
      .sort((a, b) => a - b)
  }

  close(): Promise<void> {
    return disconnect(this.#consumer)
  }
}
