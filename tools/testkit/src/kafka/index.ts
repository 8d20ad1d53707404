// Named after what they do outside this folder: `connect`/`disconnect` alone would say nothing there.
export { connect as connectClient, disconnect as disconnectClient } from './connection.ts'
export { type TakeOptions, TestConsumer, type TestConsumerOptions } from './consumer.ts'
export {
  KafkaApiKeys,
  type KafkaExchange,
  type KafkaProxy,
  type KafkaProxyOptions,
  startKafkaProxy,
} from './kafka-proxy.ts'
export { type Delivered, headersOf, type RawRecord } from './messages.ts'
export { TestProducer, type TestProducerOptions } from './producer.ts'
export { committedOffsets, endOffsets, readTopic } from './topic-reader.ts'
