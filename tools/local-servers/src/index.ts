// The local servers and the small process utilities the other tool packages build on. The CLI
// helpers are `@kafka-ref/local-servers/cli`, the browser launcher `@kafka-ref/local-servers/browser`
// (it loads playwright-core).
export { createAdmin, waitForBroker } from './kafka/admin.ts'
export {
  type KafkaNode,
  kafkaDataDirName,
  type LocalKafka,
  type StartKafkaOptions,
  startKafka,
} from './kafka/broker.ts'
export {
  activeController,
  describeGroup,
  groupCoordinator,
  partitionLeader,
  partitionsNotFullyInSync,
  topicReplication,
  waitForFullIsr,
} from './kafka/cluster-admin.ts'
export { type NodeSpec, serverProperties } from './kafka/config.ts'
export { ensureKafkaJars, KAFKA_VERSION, kafkaCacheDir } from './kafka/jars.ts'
export { KAFKA_HEAP_OPTIONS } from './kafka/node-process.ts'
export { javaNotFoundMessage, requireJava } from './kafka/requirements.ts'
export { createTopics, type TopicSpec } from './kafka/topics.ts'
export { packagedBinaries } from './postgres/binaries.ts'
export { createDatabase, databaseUrl, describeServer } from './postgres/create-database.ts'
export { type LocalPostgres, type StartPostgresOptions, startPostgres } from './postgres/server.ts'
export { freePort, freePorts } from './util/free-port.ts'
export { guardAgainstOrphan } from './util/orphan-guard.ts'
export { repoRoot } from './util/repo-root.ts'
export { sleep } from './util/sleep.ts'
export { isToolError, ToolError } from './util/tool-error.ts'
export { waitForExit } from './util/wait-for-exit.ts'
export { which } from './util/which.ts'
