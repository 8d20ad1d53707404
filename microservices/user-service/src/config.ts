import { commonConfig, commonEnv, envBoolean, envInt, loadConfig } from '@kafka-ref/service-kit'
import { z } from 'zod'

const SECOND = 1000
const HOUR = 3600 * SECOND

/** Every variable the service reads, with its default; nothing else touches `process.env`. */
export const envSchema = z.object({
  ...commonEnv({ port: 3001 }),
  KAFKA_CLIENT_ID: z.string().min(1).default('user-service'),
  BODY_LIMIT_BYTES: envInt(16_384, { min: 1024 }),
  REGISTER_RATE_LIMIT_MAX: envInt(20, { min: 1 }),
  REGISTER_RATE_LIMIT_WINDOW_MS: envInt(60 * SECOND, { min: 1 }),
  /** log2 of scrypt's N. 17 is OWASP's current guidance; tests lower it to stay fast. */
  PASSWORD_HASH_COST: envInt(17, { min: 4, max: 20 }),
  /** scrypt runs at once; the rest of libuv's 4 threads stay free for database connections. */
  PASSWORD_HASH_CONCURRENCY: envInt(2, { min: 1, max: 64 }),
  /** Hashes that may wait for a slot; past that a registration gets a 503 at once. */
  PASSWORD_HASH_QUEUE_MAX: envInt(64, { min: 0, max: 10_000 }),
  OUTBOX_ENABLED: envBoolean(true),
  OUTBOX_BATCH_SIZE: envInt(100, { min: 1, max: 1000 }),
  OUTBOX_POLL_INTERVAL_MS: envInt(1000, { min: 10 }),
  OUTBOX_RETENTION_MS: envInt(7 * 24 * HOUR, { min: 0 }),
  OUTBOX_CLEANUP_INTERVAL_MS: envInt(HOUR, { min: 10 }),
  /** Longer than one send can take (client retries included); renewed while held. */
  OUTBOX_LEASE_MS: envInt(30 * SECOND, { min: 1000 }),
  OUTBOX_SEND_ATTEMPTS: envInt(3, { min: 1, max: 100 }),
  OUTBOX_RELEASE_BACKOFF_MAX_MS: envInt(5 * 60 * SECOND, { min: 100 }),
})

export type Env = Record<string, string | undefined>

/** Parses the environment once; throws a one-line `ConfigError` naming a bad or missing variable. */
export function parseConfig(env: Env = process.env) {
  const raw = loadConfig(envSchema, env)
  return Object.freeze({
    ...commonConfig(raw),
    kafkaClientId: raw.KAFKA_CLIENT_ID,
    bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    registerRateLimit: Object.freeze({
      max: raw.REGISTER_RATE_LIMIT_MAX,
      windowMs: raw.REGISTER_RATE_LIMIT_WINDOW_MS,
    }),
    passwordHash: Object.freeze({
      cost: raw.PASSWORD_HASH_COST,
      concurrency: raw.PASSWORD_HASH_CONCURRENCY,
      queueMax: raw.PASSWORD_HASH_QUEUE_MAX,
    }),
    outbox: Object.freeze({
      enabled: raw.OUTBOX_ENABLED,
      batchSize: raw.OUTBOX_BATCH_SIZE,
      pollIntervalMs: raw.OUTBOX_POLL_INTERVAL_MS,
      retentionMs: raw.OUTBOX_RETENTION_MS,
      cleanupIntervalMs: raw.OUTBOX_CLEANUP_INTERVAL_MS,
      leaseMs: raw.OUTBOX_LEASE_MS,
      sendAttempts: raw.OUTBOX_SEND_ATTEMPTS,
      releaseBackoffMaxMs: raw.OUTBOX_RELEASE_BACKOFF_MAX_MS,
    }),
  })
}

export type Config = ReturnType<typeof parseConfig>
