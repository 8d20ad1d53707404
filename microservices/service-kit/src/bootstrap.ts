// What a service's entry point needs before the app is imported, and nothing that loads pg or
// Fastify: tracing must install its module hook first (see startTracing).
export * from './server/run-server.ts'
export * from './server/run-service.ts'
export * from './telemetry/tracing.ts'
