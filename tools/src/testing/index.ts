// What every test (tools, the services, end to end) and the benchmark share. The benchmark runs
// outside vitest and imports the modules it needs directly: this file pulls in vitest's inject.
export {
  Databases,
  type ProfileCounts,
  type ServiceDatabaseUrls,
  sortedIds,
  withClient,
} from './databases.ts'
export { type DlqRun, runDlq, startDlq } from './dlq-command.ts'
export { userRegisterEvent, userRegisterEventV2 } from './events.ts'
export { type FixtureVector, fixtureVectors } from './fixtures.ts'
export { Harness, useHarness } from './harness.ts'
export {
  getProfile,
  type HttpResult,
  register,
  registerPaced,
  userRequest,
  userRequests,
} from './http.ts'
export * from './kafka/index.ts'
export { LogCapture } from './log-capture.ts'
export { parseMetrics, type Scrape, scrapeMetrics } from './metrics.ts'
export {
  fetchOpenApi,
  OpenApiContract,
  type OpenApiDocument,
  type ServedResponse,
  serve,
  validateOpenApi,
} from './openapi.ts'
export { paced } from './pace.ts'
export { runSchemathesis, type SchemathesisOptions, type SchemathesisResult } from './schemathesis.ts'
export {
  type CreateWorldOptions,
  createWorld,
  jsonLines,
  PARTITIONS,
  type RunningWorld,
  type StartServiceOptions,
  startService,
  startWorld,
  TEST_SERVICE_ENV,
  type TestWorld,
  trackService,
} from './services.ts'
export {
  createTestDatabase,
  createTestTopics,
  testDatabaseAdminUrl,
  testKafkaBrokers,
} from './shared-servers.ts'
export { uniqueName } from './unique-name.ts'
export { type WaitForOptions, waitFor } from './wait-for.ts'
