export { type KafkaNode, type LocalKafka, type StartKafkaOptions, startKafka } from './broker.ts'
export {
  activeController,
  groupCoordinator,
  partitionLeader,
  partitionsNotFullyInSync,
  waitForFullIsr,
} from './cluster-admin.ts'
export { ensureKafkaJars, KAFKA_VERSION, kafkaCacheDir } from './jars.ts'
export { javaNotFoundMessage, requireJava } from './requirements.ts'
export { createTopics, type TopicSpec } from './topics.ts'
