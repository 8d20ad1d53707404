import { counter, gauge, histogram } from '@kafka-ref/service-kit'

/** profile-service's own metrics (the README's table is generated from these: `pnpm docs:generate`). */
export const metricDefinitions = {
  lag: gauge(
    'consumer_lag_messages',
    "Per partition this instance holds: the partition's end offset minus the group's committed offset (its low watermark if none), asked of the broker every `STATUS_REFRESH_MS`",
    ['topic', 'partition'],
  ),
  events: counter(
    'consumer_events_total',
    '`user_register` events stored by outcome: `applied` (a profile created or updated), `duplicate` (already recorded: a redelivery)',
    ['outcome'],
  ),
  deadLetters: counter(
    'consumer_dead_letters_total',
    'Messages sent to the dead-letter topic (acknowledged), by reason (`dlq_reason`): a decode error reason, or `rejected_by_database`',
    ['reason'],
  ),
  batchDuration: histogram(
    'consumer_batch_duration_seconds',
    "Storing one partition's share of a polled batch (one transaction, plus its dead letters): `stored` or `failed`",
    ['outcome'],
  ),
  retries: counter(
    'consumer_retries_total',
    'Failed attempts to store messages; each is retried (a batch one message at a time, a single message after a back-off, its partition paused)',
  ),
  assignedPartitions: gauge('consumer_assigned_partitions', 'Partitions this instance holds in the group'),
  pausedPartitions: gauge(
    'consumer_paused_partitions',
    'Partitions paused until a failed message is retried; a partition that stays paused is stuck',
  ),
  connected: gauge('consumer_connected', '1 while the Kafka consumer is connected'),
  state: gauge(
    'consumer_state',
    "1 for the consumer's state: `connecting`, `running`, `retrying` (a failed attempt to connect, or a fatal error), `stopped`",
    ['state'],
  ),
  fatalErrors: counter(
    'consumer_fatal_errors_total',
    'Fatal Kafka consumer errors (`ERR_FENCED_INSTANCE_ID`: its group instance id taken; `ERR__FATAL`: other); each replaced it',
    ['code'],
  ),
  deadLetterFatalErrors: counter(
    'dead_letter_producer_fatal_errors_total',
    'Fatal errors of the dead-letter producer; each replaced it with a new one (dead letters wait meanwhile)',
  ),
  deadLetterTopicMissing: gauge(
    'dead_letter_topic_missing',
    '1 while the dead-letter topic does not exist (checked at start, every minute and after a failed publish): a message that must be dead-lettered would hold its partition',
  ),
  deadLetterPublishFailures: counter(
    'dead_letter_publish_failures_total',
    'Dead-letter publishes that failed (logged at error with the topic and the cause); each message is retried with back-off, its partition paused, nothing after it committed',
  ),
  waiters: gauge('profile_waiters', '`GET /profile/:id?waitMs=` requests waiting for their profile now'),
  listenerConnected: gauge(
    'profile_listener_connected',
    '1 while the `LISTEN` connection that wakes waiting requests (and keeps the profile cache coherent) is up',
  ),
  cacheHits: counter(
    'profile_cache_hits_total',
    '`GET /profile/:id` requests served from the in-process profile cache',
  ),
  cacheMisses: counter(
    'profile_cache_misses_total',
    '`GET /profile/:id` requests that did not find their profile in the cache (and read the database)',
  ),
  cacheEntries: gauge('profile_cache_entries', 'Profiles in the in-process cache now'),
  cacheBytes: gauge(
    'profile_cache_bytes',
    'Bytes the cached profiles take as counted against `PROFILE_CACHE_MAX_BYTES` (their JSON and ids)',
  ),
}
