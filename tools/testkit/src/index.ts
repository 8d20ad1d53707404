// What every test (the services', the tools', end to end) shares: the clients entry plus what
// needs vitest (the harness, the shared test servers, test worlds). Code that runs outside vitest
// (the benchmark, the fault run) imports `@kafka-ref/testkit/clients` instead.
export * from './clients.ts'
export { Harness, useHarness } from './harness.ts'
export { useKafkaCluster } from './kafka-cluster.ts'
export {
  type CreateWorldOptions,
  createWorld,
  IN_PROCESS_APP_ENV,
  jsonLines,
  type RunningWorld,
  type StartServiceOptions,
  startService,
  startWorld,
  systemOptionsFor,
  type TestWorld,
  trackService,
} from './services.ts'
export {
  createTestDatabase,
  createTestTopics,
  testDatabaseAdminUrl,
  testKafkaBrokers,
} from './shared-servers.ts'
