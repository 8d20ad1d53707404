import { commonConfig, commonEnv, envInt, loadConfig } from '@kafka-ref/service-kit'
import { z } from 'zod'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Every variable the service reads, with its default; nothing else touches `process.env`. */
export const envSchema = z.object({
  ...commonEnv({ port: 3002 }),
  KAFKA_CLIENT_ID: z.string().min(1).default('profile-service'),
  /** Connections for HTTP reads and health checks. The consumer has its own pool, so reads cannot starve it. */
  DATABASE_POOL_MAX: envInt(10, { min: 1, max: 1_000 }),
  /** The consumer's own connections; it stores one partition chunk at a time. */
  CONSUMER_DATABASE_POOL_MAX: envInt(2, { min: 1, max: 100 }),
  /** Requests of this instance that may wait (`waitMs`) at once; the next ones get a 503 with Retry-After. */
  PROFILE_MAX_WAITERS: envInt(1_000, { min: 0 }),
  /** Requests to GET /profile/:id per client IP per window; then 429. */
  PROFILE_RATE_LIMIT_MAX: envInt(600, { min: 1 }),
  PROFILE_RATE_LIMIT_WINDOW_MS: envInt(60_000, { min: 1 }),
  /** How often the LISTEN connection is checked with a query, so a silently dropped one is noticed. */
  PROFILE_LISTENER_HEARTBEAT_MS: envInt(10_000, { min: 100 }),
  /** A check not answered in this time counts as a dropped connection: it is closed and opened again. */
  PROFILE_LISTENER_HEARTBEAT_TIMEOUT_MS: envInt(5_000, { min: 100 }),
  CONSUMER_BATCH_SIZE: envInt(100, { min: 1, max: 10_000 }),
  CONSUMER_RETRY_INITIAL_MS: envInt(100, { min: 1 }),
  CONSUMER_RETRY_MAX_MS: envInt(10_000, { min: 1 }),
  /** Where a group with no committed offset starts. */
  CONSUMER_START: z.enum(['earliest', 'latest']).default('earliest'),
  /** How long one poll blocks when the topic is idle; also bounds how fast the loop notices a stop. */
  CONSUMER_POLL_TIMEOUT_MS: envInt(500, { min: 10, max: 10_000 }),
  /**
   * How long the broker may hold a fetch with no new data. Low means an event on an idle topic is
   * seen within milliseconds, at the cost of more (tiny) fetch requests while idle.
   */
  CONSUMER_FETCH_WAIT_MAX_MS: envInt(10, { min: 1, max: 5000 }),
  /** 0 commits after every batch; more batches commits (never ahead of stored work). */
  CONSUMER_COMMIT_INTERVAL_MS: envInt(0, { min: 0 }),
  /**
   * How long the group waits for a silent member (a crashed instance) before giving its partitions
   * to others. librdkafka's 45 s default leaves a crashed instance's partitions idle that long;
   * 10 s (Kafka's former default) is within the broker's default bounds of 6-300 s.
   */
  CONSUMER_SESSION_TIMEOUT_MS: envInt(10_000, { min: 6_000, max: 300_000 }),
  /** How long a dead-letter publish may take before it counts as failed (and is retried). */
  DEAD_LETTER_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  /**
   * The largest record batch the brokers accept (`message.max.bytes`, or the topics'
   * `max.message.bytes`); Kafka's default. Sizes the dead-letter producer, so a copy of anything
   * the broker accepted fits (cut down if needed), and the consumer's fetches.
   */
  KAFKA_MESSAGE_MAX_BYTES: envInt(1_048_588, { min: 4096, max: 1_000_000_000 }),
  /**
   * How long a processed event id is kept to recognise a redelivery: at least as long as Kafka can
   * deliver the event again, i.e. the topic's retention.ms plus its segment.ms (a record goes only
   * with its whole segment), plus a margin. Kafka's defaults, 7 d + 7 d, leave 16 d of margin.
   */
  DEDUP_RETENTION_MS: envInt(30 * DAY, { min: DAY }),
  /**
   * How often expired ids are deleted; 0 never deletes (for a topic that keeps records forever).
   * At most setInterval's limit (~24.8 d): above it Node fires every millisecond.
   */
  DEDUP_CLEANUP_INTERVAL_MS: envInt(HOUR, { min: 0, max: 2_147_483_647 }),
})

export type Env = Record<string, string | undefined>

/** Parses the environment once; throws a one-line `ConfigError` naming a bad or missing variable. */
export function parseConfig(env: Env = process.env) {
  const raw = loadConfig(envSchema, env)
  return Object.freeze({
    ...commonConfig(raw),
    kafkaClientId: raw.KAFKA_CLIENT_ID,
    databasePoolMax: raw.DATABASE_POOL_MAX,
    consumerDatabasePoolMax: raw.CONSUMER_DATABASE_POOL_MAX,
    profiles: Object.freeze({
      maxWaiters: raw.PROFILE_MAX_WAITERS,
      rateLimit: Object.freeze({
        max: raw.PROFILE_RATE_LIMIT_MAX,
        windowMs: raw.PROFILE_RATE_LIMIT_WINDOW_MS,
      }),
      heartbeatIntervalMs: raw.PROFILE_LISTENER_HEARTBEAT_MS,
      heartbeatTimeoutMs: raw.PROFILE_LISTENER_HEARTBEAT_TIMEOUT_MS,
    }),
    consumer: Object.freeze({
      batchSize: raw.CONSUMER_BATCH_SIZE,
      retryInitialMs: raw.CONSUMER_RETRY_INITIAL_MS,
      retryMaxMs: Math.max(raw.CONSUMER_RETRY_MAX_MS, raw.CONSUMER_RETRY_INITIAL_MS),
      start: raw.CONSUMER_START,
      pollTimeoutMs: raw.CONSUMER_POLL_TIMEOUT_MS,
      fetchWaitMaxMs: raw.CONSUMER_FETCH_WAIT_MAX_MS,
      commitIntervalMs: raw.CONSUMER_COMMIT_INTERVAL_MS,
      sessionTimeoutMs: raw.CONSUMER_SESSION_TIMEOUT_MS,
      deadLetterTimeoutMs: raw.DEAD_LETTER_TIMEOUT_MS,
      messageMaxBytes: raw.KAFKA_MESSAGE_MAX_BYTES,
    }),
    processedEvents: Object.freeze({
      retentionMs: raw.DEDUP_RETENTION_MS,
      intervalMs: raw.DEDUP_CLEANUP_INTERVAL_MS,
    }),
  })
}

export type Config = ReturnType<typeof parseConfig>
export type ConsumerConfig = Config['consumer']
