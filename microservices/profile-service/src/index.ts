export { type BuildAppOptions, buildApp, SERVICE_NAME } from './app.ts'
export { type Config, envSchema, parseConfig } from './config.ts'
export { migrations } from './db/migrations/index.ts'
