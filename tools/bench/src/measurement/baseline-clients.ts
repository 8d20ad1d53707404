import { type EncodedMessage, encode } from '@kafka-ref/shared-contracts'
import { userRegisterEvent } from '@kafka-ref/tools/testing/events'
import { TestConsumer } from '@kafka-ref/tools/testing/kafka/consumer'
import { TestProducer } from '@kafka-ref/tools/testing/kafka/producer'
import { producerSettings } from '@kafka-ref/user-service'
import { Producer, stringSerializers } from '@platformatic/kafka'
import type { ConsumerGlobalConfig, Message } from 'node-rdkafka'

/** Real `user_register` messages, encoded by the contracts, for made-up users. */
export function userRegisterMessages(count: number, prefix: string): EncodedMessage[] {
  return Array.from({ length: count }, (_, index) => encode(userRegisterEvent(prefix, index)))
}

/**
 * The client and settings of user-service's producer (its exported `producerSettings`): the
 * baseline of the outbox and end-to-end figures must differ from the service only by the service.
 */
export function serviceLikeProducer(brokers: string) {
  return new Producer({
    clientId: 'bench-producer',
    bootstrapBrokers: [brokers],
    serializers: stringSerializers,
    ...producerSettings,
  })
}

/** Fills a topic as fast as librdkafka batches (the set-up, not a measured figure). */
export async function fillTopic(brokers: string, topic: string, messages: EncodedMessage[]): Promise<void> {
  const producer = await TestProducer.connect(brokers, {
    config: {
      'enable.idempotence': true,
      'linger.ms': 20,
      'batch.num.messages': 10_000,
      'queue.buffering.max.messages': messages.length + 1000,
    },
  })
  try {
    await producer.sendAll(topic, messages)
  } finally {
    await producer.close()
  }
}

/**
 * profile-service's consumer settings (src/kafka/consumer-client.ts): non-flowing
 * consume(100), manual commits, partition EOF, fetch.wait.max.ms 10, poll timeout 500.
 */
const PROFILE_SERVICE_SETTINGS = {
  'enable.auto.offset.store': false,
  'partition.assignment.strategy': 'cooperative-sticky',
  'enable.partition.eof': true,
  'fetch.wait.max.ms': 10,
} satisfies ConsumerGlobalConfig

/** The raw consumer of the baselines: node-rdkafka with profile-service's settings, doing no work. */
export function connectRawConsumer(brokers: string, groupId: string, topic: string): Promise<TestConsumer> {
  return TestConsumer.connect(brokers, topic, {
    groupId,
    config: PROFILE_SERVICE_SETTINGS,
    pollTimeoutMs: 500,
    batchSize: 100,
  })
}

/** Polls until `count` messages arrived; `onBatch` sees each batch as its consume() call returns. */
export async function consumeBatches(
  consumer: TestConsumer,
  count: number,
  onBatch: (messages: Message[]) => void,
  timeoutMs = 300_000,
): Promise<void> {
  let received = 0
  const deadline = Date.now() + timeoutMs
  while (received < count) {
    if (Date.now() > deadline) throw new Error(`raw consumer got ${received} of ${count} messages`)
    const messages = await consumer.poll()
    received += messages.length
    if (messages.length > 0) onBatch(messages)
  }
}
