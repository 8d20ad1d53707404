export { type BuildAppOptions, buildApp, SERVICE_NAME } from './app.ts'
export { type Config, DEFAULT_OUTBOX_BATCH_SIZE, envSchema, parseConfig } from './config.ts'
// What the benchmark measures the service against, so its baselines cannot drift from the service.
export { producerSettings } from './kafka/producer-settings.ts'
export { hashPassword } from './users/password.ts'
