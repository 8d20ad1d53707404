import {
  ConfigError,
  commonEnv,
  defineConfig,
  type Env,
  envBoolean,
  envInt,
} from '@kafka-ref/service-kit/config'
import { EventRegistry, EventTypes, PROFILE_MAX_WAIT_MS } from '@kafka-ref/shared-contracts'
import { z } from 'zod'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const MIB = 1024 * 1024

/** The data versions of `user_register` this build decodes (see EventRegistry). */
const KNOWN_VERSIONS = Object.keys(EventRegistry[EventTypes.userRegister]).map(Number)

const acceptedVersions = z
  .string()
  .default(KNOWN_VERSIONS.join(','))
  .transform((value) => [...new Set(value.split(',').map((version) => Number(version.trim())))])
  .refine((versions) => versions.every((version) => KNOWN_VERSIONS.includes(version)), {
    message: `a comma-separated list of known data versions (${KNOWN_VERSIONS.join(', ')})`,
  })

/**
 * Every variable the service reads, with its default and what it means (the README's table is
 * generated from it: `pnpm docs:generate`); nothing else touches `process.env`.
 */
export const envSchema = z.object({
  ...commonEnv({ port: 3002, metricsPort: 9465 }),
  KAFKA_CLIENT_ID: z
    .string()
    .min(1)
    .default('profile-service')
    .describe('Kafka client id (the dead-letter producer appends `-dead-letter`)'),
  DATABASE_POOL_MAX: envInt(10, { min: 1, max: 1_000 }).describe(
    'Connections for HTTP reads and health checks. The consumer has its own pool, so reads cannot starve it',
  ),
  PROFILE_MAX_WAITERS: envInt(1_000, { min: 0 }).describe(
    'Requests of this instance that may wait (`waitMs`) at once; beyond it a profile that exists is still served, and a wait for one that does not is refused at once: `503` with `Retry-After: 1` (`0`: none waits)',
  ),
  PROFILE_RATE_LIMIT_MAX: envInt(600, { min: 1 }).describe(
    '`GET /profile/:id` requests per client IP per window (in memory, per instance); then `429`',
  ),
  PROFILE_RATE_LIMIT_WINDOW_MS: envInt(60_000, { min: 1 }).describe('Rate-limit window'),
  PROFILE_LISTENER_HEARTBEAT_MS: envInt(10_000, { min: 100 }).describe(
    'How often the `LISTEN` connection is checked with a query, so a silently dropped one is noticed',
  ),
  PROFILE_LISTENER_HEARTBEAT_TIMEOUT_MS: envInt(5_000, { min: 100 }).describe(
    'A check unanswered this long means the connection was dropped silently: it is closed and opened again, and every waiter looks again',
  ),
  PROFILE_CACHE_MAX_ENTRIES: envInt(10_000, { min: 0 }).describe(
    'Profiles `GET /profile/:id` keeps in memory (least recently used go first), kept coherent across instances by the `profile_created` notifications; `0` disables the cache',
  ),
  PROFILE_CACHE_MAX_BYTES: envInt(8 * MIB, { min: 0 }).describe(
    'Bytes of cached profile JSON (and ids) at most, whatever the count (8 MiB); `0` disables the cache',
  ),
  CONSUMER_ENABLED: envBoolean(true).describe(
    'Consume `user_register` in this instance; `false` serves HTTP only (profiles are then created by the instances that consume)',
  ),
  CONSUMER_DATABASE_POOL_MAX: envInt(2, { min: 1, max: 100 }).describe(
    "The consumer's own connections (it stores one partition chunk at a time): HTTP reads never make a partition wait for one",
  ),
  CONSUMER_BATCH_SIZE: envInt(1_000, { min: 1, max: 10_000 }).describe(
    "Most messages per poll; each partition's share is stored in one statement, so larger batches cost fewer round trips and commits per event",
  ),
  CONSUMER_RETRY_INITIAL_MS: envInt(100, { min: 1 }).describe(
    'First delay before retrying a failed message (then doubled, with jitter)',
  ),
  CONSUMER_RETRY_MAX_MS: envInt(10_000, { min: 1 }).describe('Cap of the retry delay'),
  CONSUMER_START: z
    .enum(['earliest', 'latest'])
    .default('earliest')
    .describe('Where a group with no committed offset starts (`earliest`/`latest`)'),
  CONSUMER_POLL_TIMEOUT_MS: envInt(500, { min: 10, max: 10_000 }).describe(
    'How long one poll blocks when the topic is idle; also bounds how fast the loop notices a stop',
  ),
  CONSUMER_FETCH_WAIT_MAX_MS: envInt(10, { min: 1, max: 5000 }).describe(
    'How long the broker may hold a fetch with no new data: the latency of an event on an idle topic. Low costs more (tiny) fetch requests while idle',
  ),
  CONSUMER_COMMIT_INTERVAL_MS: envInt(0, { min: 0 }).describe(
    '`0` commits after every batch; more batches commits (never ahead of stored work)',
  ),
  CONSUMER_SESSION_TIMEOUT_MS: envInt(10_000, { min: 6_000, max: 300_000 }).describe(
    "How long the group waits for a silent member (a crashed instance) before giving its partitions to others. librdkafka's 45 s default leaves them idle that long; 10 s (Kafka's former default) is within the broker's default bounds of 6-300 s",
  ),
  CONSUMER_GROUP_INSTANCE_ID: z
    .string()
    .regex(/^[\w.-]{1,249}$/, 'letters, digits, `.`, `_` and `-` only')
    .optional()
    .describe(
      "Static group membership (Kafka's `group.instance.id`): a name unique to this instance and the same across its restarts (a StatefulSet pod's name). The group then keeps the member through a broker outage or a restart shorter than the session timeout: no rebalance, partitions served again within a second of the broker being back (benchmark figure 7c). Unset by default, because a static member does not leave the group when it stops: its partitions wait the session timeout before another instance takes them. A second instance with that name fences the first",
    ),
  CONSUMER_ACCEPTED_DATA_VERSIONS: acceptedVersions.describe(
    '`user_register` data versions this instance stores, comma-separated; any other is dead-lettered as `unsupported_version` (re-drive it once an instance accepts it: `pnpm dlq`). Default: every version this build knows. Holds an instance at the versions it was deployed for, e.g. to roll a new version out to the consumers one at a time (shared-contracts README, Changing an event)',
  ),
  DEAD_LETTER_TIMEOUT_MS: envInt(10_000, { min: 100 }).describe(
    'A dead-letter publish not acknowledged in this time fails (and is retried)',
  ),
  KAFKA_MESSAGE_MAX_BYTES: envInt(1_048_588, { min: 4096, max: 1_000_000_000 }).describe(
    "The largest record batch the brokers accept (their `message.max.bytes`, or the topics' `max.message.bytes`); Kafka's default. Sizes the dead-letter producer, so a copy of anything the broker accepted fits (cut down if needed), and the consumer's fetches",
  ),
  DEDUP_RETENTION_MS: envInt(30 * DAY, { min: DAY }).describe(
    "How long a processed event id is kept (30 d) to recognise a redelivery: at least as long as Kafka can deliver the event again, i.e. the topic's `retention.ms` plus its `segment.ms` (a record goes only with its whole segment), plus a margin. Kafka's defaults, 7 d + 7 d, leave 16 d of margin",
  ),
  DEDUP_CLEANUP_INTERVAL_MS: envInt(HOUR, { min: 0, max: 2_147_483_647 }).describe(
    "How often expired processed event ids are deleted (1 h); `0` never (for a topic that keeps its records forever). At most setInterval's limit (~24.8 d): above it Node fires every millisecond",
  ),
})

const parseEnvironment = defineConfig(envSchema, (raw) => ({
  kafkaClientId: raw.KAFKA_CLIENT_ID,
  databasePoolMax: raw.DATABASE_POOL_MAX,
  profiles: {
    maxWaiters: raw.PROFILE_MAX_WAITERS,
    rateLimit: {
      max: raw.PROFILE_RATE_LIMIT_MAX,
      windowMs: raw.PROFILE_RATE_LIMIT_WINDOW_MS,
    },
    heartbeatIntervalMs: raw.PROFILE_LISTENER_HEARTBEAT_MS,
    heartbeatTimeoutMs: raw.PROFILE_LISTENER_HEARTBEAT_TIMEOUT_MS,
    cache: {
      maxEntries: raw.PROFILE_CACHE_MAX_ENTRIES,
      maxBytes: raw.PROFILE_CACHE_MAX_BYTES,
    },
  },
  consumer: {
    enabled: raw.CONSUMER_ENABLED,
    databasePoolMax: raw.CONSUMER_DATABASE_POOL_MAX,
    batchSize: raw.CONSUMER_BATCH_SIZE,
    retry: {
      initialMs: raw.CONSUMER_RETRY_INITIAL_MS,
      maxMs: Math.max(raw.CONSUMER_RETRY_MAX_MS, raw.CONSUMER_RETRY_INITIAL_MS),
    },
    start: raw.CONSUMER_START,
    pollTimeoutMs: raw.CONSUMER_POLL_TIMEOUT_MS,
    fetchWaitMaxMs: raw.CONSUMER_FETCH_WAIT_MAX_MS,
    commitIntervalMs: raw.CONSUMER_COMMIT_INTERVAL_MS,
    sessionTimeoutMs: raw.CONSUMER_SESSION_TIMEOUT_MS,
    groupInstanceId: raw.CONSUMER_GROUP_INSTANCE_ID,
    acceptedDataVersions: raw.CONSUMER_ACCEPTED_DATA_VERSIONS,
    deadLetterTimeoutMs: raw.DEAD_LETTER_TIMEOUT_MS,
    messageMaxBytes: raw.KAFKA_MESSAGE_MAX_BYTES,
  },
  processedEvents: {
    retentionMs: raw.DEDUP_RETENTION_MS,
    intervalMs: raw.DEDUP_CLEANUP_INTERVAL_MS,
  },
}))

/**
 * The longest a `GET /profile/:id` sends nothing: a whole `waitMs` between two lookups, each of which
 * may take up to the query timeout. A connection timeout at or below it would cut such answers off.
 */
function checkConnectionTimeout({ httpTimeouts, databaseConnection }: ReturnType<typeof parseEnvironment>) {
  const longestSilenceMs = PROFILE_MAX_WAIT_MS + 2 * databaseConnection.queryTimeoutMs
  const timeoutMs = httpTimeouts.connectionTimeoutMs
  if (timeoutMs > 0 && timeoutMs <= longestSilenceMs)
    throw new ConfigError(
      `Invalid configuration: HTTP_CONNECTION_TIMEOUT_MS (${timeoutMs}) must be above ${longestSilenceMs}, the longest answer of GET /profile/:id (a ${PROFILE_MAX_WAIT_MS} ms wait between two lookups of up to DATABASE_QUERY_TIMEOUT_MS), or 0`,
    )
}

/** Parses the environment once; throws a one-line `ConfigError` naming a bad or missing variable. */
export function parseConfig(env: Env = process.env) {
  const config = parseEnvironment(env)
  checkConnectionTimeout(config)
  return config
}

export type Config = ReturnType<typeof parseConfig>
