import Kafka from 'node-rdkafka'

/** A connected, subscribed node-rdkafka consumer with promise wrappers for the calls the tests use. */
export interface TestConsumer {
  /** Polls with the non-flowing consume(n) API until `count` messages arrived or the deadline passed. */
  take(count: number, timeoutMs: number): Promise<Kafka.Message[]>
  commit(message: Kafka.Message): void
  committed(topic: string, partitions: number): Promise<Kafka.TopicPartitionOffset[]>
  close(): Promise<void>
}

export async function connectConsumer(
  brokers: string,
  groupId: string,
  topic: string,
): Promise<TestConsumer> {
  const consumer = new Kafka.KafkaConsumer(
    {
      'bootstrap.servers': brokers,
      'group.id': groupId,
      'enable.auto.commit': false,
      // The tests poll actively; short fetch waits keep each consume(n) call snappy.
      'fetch.wait.max.ms': 50,
    },
    { 'auto.offset.reset': 'earliest' },
  )
  await new Promise<void>((resolve, reject) => {
    consumer.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve()))
  })
  consumer.setDefaultConsumeTimeout(200)
  consumer.subscribe([topic])

  const consumeOnce = (max: number) =>
    new Promise<Kafka.Message[]>((resolve, reject) => {
      consumer.consume(max, (error, messages) => (error ? reject(error) : resolve(messages)))
    })

  return {
    async take(count, timeoutMs) {
      const received: Kafka.Message[] = []
      const deadline = Date.now() + timeoutMs
      while (received.length < count && Date.now() < deadline) {
        received.push(...(await consumeOnce(count - received.length)))
      }
      return received
    },
    commit(message) {
      // Commits message.offset + 1: the next offset this group should read.
      consumer.commitMessageSync(message)
    },
    committed(topicName, partitions) {
      const toppars = Array.from({ length: partitions }, (_, partition) => ({ topic: topicName, partition }))
      return new Promise((resolve, reject) => {
        consumer.committed(toppars, 5_000, (error, offsets) => (error ? reject(error) : resolve(offsets)))
      })
    },
    close() {
      return new Promise((resolve) => {
        if (!consumer.isConnected()) return resolve()
        consumer.disconnect(() => resolve())
      })
    },
  }
}
