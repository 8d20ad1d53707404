import { counter, gauge, histogram } from '@kafka-ref/service-kit'

/** How a `POST /user/register` ended, from its status code. */
export const RegistrationOutcomes = [
  'created',
  'conflict',
  'invalid',
  'rate-limited',
  'overloaded',
  'cancelled',
  'failed',
] as const
export type RegistrationOutcome = (typeof RegistrationOutcomes)[number]

/** user-service's own metrics (the README's table is generated from these: `pnpm docs:generate`). */
export const metricDefinitions = {
  registrations: counter(
    'registrations_total',
    '`POST /user/register` answers by outcome: `created` 201, `conflict` 409, `invalid` 400/413/415, `rate-limited` 429, `overloaded` 503 (hashing queue full, or the process under pressure), `cancelled` 499 (client left), `failed` other 5xx',
    ['outcome'],
  ),
  hashesRunning: gauge('password_hashes_running', 'scrypt hashes running now'),
  hashesQueued: gauge('password_hashes_queued', 'Registrations waiting for a password hash'),
  outboxBacklog: gauge(
    'outbox_backlog_rows',
    'Unpublished outbox rows, of all instances (counted every `STATUS_REFRESH_MS`; `NaN` when the database does not answer)',
  ),
  outboxOldestAge: gauge(
    'outbox_oldest_unpublished_age_seconds',
    'Age of the oldest unpublished outbox row; 0 when there is none. Alert on it: events are not reaching Kafka',
  ),
  outboxFailingRows: gauge(
    'outbox_failing_rows',
    'Unpublished rows Kafka keeps rejecting (unknown topic, authorization, too large), waiting with a back-off',
  ),
  eventsPublished: counter(
    'outbox_events_published_total',
    "Events this instance's relay published: acknowledged by Kafka (acks=all) and marked",
  ),
  publishFailures: counter(
    'outbox_publish_failures_total',
    "Failed produce calls of this instance's relay (Kafka down, leader moving, a rejection); each is retried",
  ),
  publishRetries: counter(
    'outbox_publish_retries_total',
    'Events sent again after a produce call that carried them failed',
  ),
  rowsReleased: counter(
    'outbox_rows_released_total',
    'Rows this instance released with a back-off because Kafka kept rejecting them',
  ),
  leasesLost: counter(
    'outbox_leases_lost_total',
    'Claims whose rows another instance took over before this one had marked them (they are sent again)',
  ),
  batchDuration: histogram(
    'outbox_batch_duration_seconds',
    'One relay batch from the produce call to the broker acknowledging it (`published`) or failing (`failed`)',
    ['outcome'],
  ),
  producerConnected: gauge('producer_connected', '1 while the Kafka producer is connected'),
}
