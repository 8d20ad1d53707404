import { commonEnv, defineConfig, envBoolean, envInt } from '@kafka-ref/service-kit/config'
import { z } from 'zod'

const SECOND = 1000
const HOUR = 3600 * SECOND

/** OUTBOX_BATCH_SIZE's default, exported so the benchmark's baseline sends batches of the same size. */
export const DEFAULT_OUTBOX_BATCH_SIZE = 500

/**
 * Every variable the service reads, with its default and what it means (the README's table is
 * generated from these descriptions); nothing else touches `process.env`.
 */
export const envSchema = z.object({
  ...commonEnv({ port: 3001, metricsPort: 9464 }),
  KAFKA_CLIENT_ID: z.string().min(1).default('user-service').describe('Kafka client id of the producer'),
  BODY_LIMIT_BYTES: envInt(16_384, { min: 1024 }).describe('Larger request bodies get a `413`'),
  REGISTER_RATE_LIMIT_MAX: envInt(20, { min: 1 }).describe(
    'Registrations per client address per window (in memory, per instance); then `429` with `Retry-After`',
  ),
  REGISTER_RATE_LIMIT_WINDOW_MS: envInt(60 * SECOND, { min: 1 }).describe('The rate-limit window'),
  PASSWORD_HASH_COST: envInt(17, { min: 4, max: 20 }).describe(
    "log2 of scrypt's N (4–20): 17 is OWASP's current guidance, about 0.4 s of one core; tests use 4",
  ),
  PASSWORD_HASH_CONCURRENCY: envInt(2, { min: 1, max: 64 }).describe(
    "scrypt runs at once; keeps the rest of libuv's 4 threads free for database connections and bounds memory (128 MiB per run at cost 17)",
  ),
  PASSWORD_HASH_QUEUE_MAX: envInt(64, { min: 0, max: 10_000 }).describe(
    'Registrations that may wait for a hash; one more gets `503 REGISTRATION_BUSY` with `Retry-After` at once; a queued one whose client left is dropped',
  ),
  USER_REGISTER_DATA_VERSION: z
    .enum(['1', '2'])
    .default('1')
    .describe(
      'Data version of the `user_register` events this instance writes. Stays `1` until every consumer accepts `2`; then switch (shared-contracts README, Changing an event). Set when the event is written to the outbox',
    ),
  OUTBOX_ENABLED: envBoolean(true).describe(
    'Run the outbox relay in this instance; rows are written either way, and any instance running it publishes them',
  ),
  OUTBOX_BATCH_SIZE: envInt(DEFAULT_OUTBOX_BATCH_SIZE, { min: 1, max: 1000 }).describe(
    'Rows claimed and sent per batch',
  ),
  OUTBOX_POLL_INTERVAL_MS: envInt(1000, { min: 10 }).describe(
    "Fallback poll when not woken by a commit (other instances' rows, crash recovery, ended holds)",
  ),
  OUTBOX_RETENTION_MS: envInt(7 * 24 * HOUR, { min: 0 }).describe(
    'How long published rows are kept (7 days)',
  ),
  OUTBOX_CLEANUP_INTERVAL_MS: envInt(HOUR, { min: 10 }).describe(
    'How often published rows past the retention are deleted',
  ),
  OUTBOX_LEASE_MS: envInt(30 * SECOND, { min: 1000 }).describe(
    "How long a claimed batch stays reserved for its instance, renewed while it is held: a crashed instance's rows wait this long. Longer than one send can take",
  ),
  OUTBOX_SEND_ATTEMPTS: envInt(3, { min: 1, max: 100 }).describe(
    'Rejected sends of a batch (unknown topic, authorization, too large) before its rows go one by one and refused ones are held back',
  ),
  OUTBOX_RELEASE_BACKOFF_MAX_MS: envInt(5 * 60 * SECOND, { min: 100 }).describe(
    "Cap of a refused row's back-off (1 s, doubling each time it is refused again); later rows of its key wait behind it",
  ),
})

/** Parses the environment once; throws a one-line `ConfigError` naming a bad or missing variable. */
export const parseConfig = defineConfig(envSchema, (raw) => ({
  kafkaClientId: raw.KAFKA_CLIENT_ID,
  bodyLimitBytes: raw.BODY_LIMIT_BYTES,
  registration: {
    rateLimit: { max: raw.REGISTER_RATE_LIMIT_MAX, windowMs: raw.REGISTER_RATE_LIMIT_WINDOW_MS },
    eventDataVersion: Number(raw.USER_REGISTER_DATA_VERSION) as 1 | 2,
    passwordHash: {
      cost: raw.PASSWORD_HASH_COST,
      concurrency: raw.PASSWORD_HASH_CONCURRENCY,
      queueMax: raw.PASSWORD_HASH_QUEUE_MAX,
    },
  },
  outbox: {
    enabled: raw.OUTBOX_ENABLED,
    batchSize: raw.OUTBOX_BATCH_SIZE,
    pollIntervalMs: raw.OUTBOX_POLL_INTERVAL_MS,
    retentionMs: raw.OUTBOX_RETENTION_MS,
    cleanupIntervalMs: raw.OUTBOX_CLEANUP_INTERVAL_MS,
    leaseMs: raw.OUTBOX_LEASE_MS,
    sendAttempts: raw.OUTBOX_SEND_ATTEMPTS,
    releaseBackoffMaxMs: raw.OUTBOX_RELEASE_BACKOFF_MAX_MS,
    // Half the shutdown budget for the send in flight; the other half releases its rows and
    // closes the producer and the pools.
    stopTimeoutMs: Math.floor(raw.SHUTDOWN_TIMEOUT_MS / 2),
  },
}))

export type Config = ReturnType<typeof parseConfig>
