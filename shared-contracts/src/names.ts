import { DecodeErrorReasons } from './codec/decode-error.ts'

/**
 * Every Kafka name the system uses, defined once.
 *
 * Convention: a topic is named after the event it carries (snake_case), and its dead-letter topic
 * appends `_dlq`. We avoid `.` in names because Kafka maps `.` and `_` to the same metric name.
 */
const USER_REGISTER = 'user_register'

export const EventTypes = {
  userRegister: USER_REGISTER,
} as const
export type EventType = (typeof EventTypes)[keyof typeof EventTypes]

export const Topics = {
  userRegister: USER_REGISTER,
  userRegisterDeadLetter: `${USER_REGISTER}_dlq`,
} as const
export type Topic = (typeof Topics)[keyof typeof Topics]

/**
 * Partitions of the system's topics unless a deployment chooses otherwise: the create-topics CLI,
 * `pnpm dev`, the tests, the fault run and the bench all start from it. The partition count caps
 * how many profile-service instances share the work.
 */
export const DEFAULT_PARTITIONS = 3

export interface SystemTopic {
  /** The topic's name with the namespace applied. */
  name: string
  partitions: number
}

/**
 * Every topic the system needs (each of `Topics`), namespaced, with its partition count: what
 * provisioning creates before any service starts. The dead-letter topic has as many partitions as
 * its source, so a dead letter can keep its original partition.
 */
export function systemTopics(
  namespace = '',
  partitions: number = DEFAULT_PARTITIONS,
): Record<keyof typeof Topics, SystemTopic> {
  const entries = Object.entries(Topics).map(([key, name]) => [
    key,
    { name: namespaced(name, namespace), partitions },
  ])
  return Object.fromEntries(entries) as Record<keyof typeof Topics, SystemTopic>
}

export const ConsumerGroups = {
  profileService: 'profile-service',
  /** The dead-letter re-drive command's cursor (`pnpm dlq redrive`): it never joins the service's group. */
  deadLetterRedrive: 'profile-service-dlq-redrive',
} as const
export type ConsumerGroup = (typeof ConsumerGroups)[keyof typeof ConsumerGroups]

/** The CloudEvents `source` of each producing service. */
export const EventSources = {
  userService: '/user-service',
} as const

/**
 * Applies an optional namespace (e.g. `staging.` or a per-test prefix) to a topic or group name,
 * so several environments can share one cluster without renaming anything in code.
 */
export function namespaced<T extends string>(name: T, namespace = ''): string {
  return `${namespace}${name}`
}

/**
 * Headers `encode` sets on every event message. They repeat what the value already says, for
 * routers, broker tools and tracing instrumentation that do not parse values; `decode` never reads
 * them. `ce_*` are the CloudEvents Kafka binding's names (its structured mode allows them);
 * `traceparent`/`tracestate` are W3C Trace Context's, which Kafka instrumentations read.
 */
export const EventHeaders = {
  contentType: 'content-type',
  id: 'ce_id',
  type: 'ce_type',
  dataVersion: 'ce_dataversion',
  correlationId: 'correlation_id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const

/** Headers a dead-lettered message carries besides its original ones. */
export const DeadLetterHeaders = {
  reason: 'dlq_reason',
  error: 'dlq_error',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  failedAt: 'dlq_failed_at',
  /**
   * Present only on a copy cut down to fit the dead-letter topic's size limit: what was cut and
   * why. The original message is still in its topic, at `dlq_original_offset`.
   */
  truncated: 'dlq_truncated',
  /** With `truncated`: the original value's size in bytes. */
  originalSize: 'dlq_original_size',
  /**
   * Set by the re-drive command on the message it republishes to the source topic: how many
   * times this message has been re-driven (1 the first time). A dead letter of a re-driven message
   * keeps it with the other original headers, so the command can stop at its cap.
   */
  redriveCount: 'dlq_redrive_count',
} as const

/**
 * The values of `dlq_reason`: why a message was dead-lettered. A message that cannot be decoded
 * carries its `DecodeError` reason; `rejected_by_database` is a decoded event the consumer's
 * database refuses for good (a data error, a constraint it breaks), which retrying cannot fix.
 */
export const DeadLetterReasons = {
  ...DecodeErrorReasons,
  rejectedByDatabase: 'rejected_by_database',
} as const
export type DeadLetterReason = (typeof DeadLetterReasons)[keyof typeof DeadLetterReasons]
