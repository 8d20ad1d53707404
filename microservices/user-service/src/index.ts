export { type BuildAppOptions, buildApp, SERVICE_NAME } from './app.ts'
export { type Config, DEFAULT_OUTBOX_BATCH_SIZE, envSchema, parseConfig } from './config.ts'
export { migrations } from './db/migrations/index.ts'
export type { Database as UserDatabase } from './db/schema.ts'
// What the benchmark measures the service against, so its baselines cannot drift from the service.
export { producerSettings } from './kafka/producer-settings.ts'
// The relay's own statements, so the benchmark can measure what the database alone allows it.
export { claimBatch, markPublished } from './outbox/outbox-repository.ts'
export { hashPassword } from './users/password.ts'
