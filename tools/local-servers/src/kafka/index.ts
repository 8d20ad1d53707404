export { type LocalKafka, type StartKafkaOptions, startKafka } from './broker.ts'
export { ensureKafkaJars, KAFKA_VERSION, kafkaCacheDir } from './jars.ts'
export { javaNotFoundMessage, requireJava } from './requirements.ts'
export { createTopics, type TopicSpec } from './topics.ts'
