// The toolkit without vitest: clients, waits and checks for code that runs outside a test runner
// (the benchmark, the fault run). The package entry (index.ts) adds what needs vitest.
export { addressesOfOneSlash64 } from './addresses.ts'
export {
  Databases,
  type ProfileCounts,
  type ServiceDatabaseUrls,
  sortedIds,
  withClient,
} from './databases.ts'
export {
  type Delivery,
  type DeliveryTimeline,
  deliveryTimeline,
  nextStoredAfter,
  quantile,
  storedOutOfOrder,
} from './delivery-timeline.ts'
export { type DlqRun, runDlq, startDlq } from './dlq-command.ts'
export { userRegisterEvent, userRegisterEventV2 } from './events.ts'
export { type FixtureVector, fixtureVectors } from './fixtures.ts'
export {
  getProfile,
  type HttpResult,
  register,
  registerPaced,
  userRequest,
  userRequests,
} from './http.ts'
export {
  committedOffsets,
  connectClient,
  type Delivered,
  disconnectClient,
  endOffsets,
  headersOf,
  KafkaApiKeys,
  type KafkaExchange,
  type KafkaProxy,
  type KafkaProxyOptions,
  type RawRecord,
  readTopic,
  startKafkaProxy,
  type TakeOptions,
  TestConsumer,
  type TestConsumerOptions,
  TestProducer,
  type TestProducerOptions,
} from './kafka/index.ts'
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
export { readinessInternals } from './readiness.ts'
export { runSchemathesis, type SchemathesisOptions, type SchemathesisResult } from './schemathesis.ts'
export { type SentRegistration, SteadyRegistrations } from './steady-load.ts'
export {
  type ChunkFilter,
  type ConnectionFilters,
  proxiedUrl,
  startTcpProxy,
  type TcpProxy,
  type TcpProxyOptions,
  throughProxy,
} from './tcp-proxy.ts'
export { uniqueName } from './unique-name.ts'
export { type WaitForOptions, waitFor } from './wait-for.ts'
