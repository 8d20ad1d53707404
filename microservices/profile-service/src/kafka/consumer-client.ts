import type { BackoffOptions } from '@kafka-ref/service-kit'
import rdkafka, { type Assignment, type LibrdKafkaError, type Message } from 'node-rdkafka'
import type { TopicPartitionOffset } from './offset-tracker.ts'

/** What the consumer engine is told: where and as whom it connects, and how it consumes. */
export interface ConsumerSettings {
  brokers: readonly string[]
  clientId: string
  groupId: string
  /** Static membership (`group.instance.id`); dynamic when undefined. */
  groupInstanceId?: string | undefined
  /** Where a group with no committed offset starts. */
  start: 'earliest' | 'latest'
  /** Most messages per poll. */
  batchSize: number
  /** How long one poll blocks when the topic is idle. */
  pollTimeoutMs: number
  /** How long the broker may hold a fetch with no new data. */
  fetchWaitMaxMs: number
  /** 0 commits after every batch; more batches commits. */
  commitIntervalMs: number
  sessionTimeoutMs: number
  /** The largest record batch the brokers accept (sizes the fetches). */
  messageMaxBytes: number
  /** Delays before retrying a failed message. */
  retry: BackoffOptions
}

export interface ConsumerCallbacks {
  onRebalance: (error: LibrdKafkaError, assignment: Assignment[]) => void
  onCommitted: (error: LibrdKafkaError | undefined, offsets: TopicPartitionOffset[]) => void
}

/**
 * How soon the consumer is back after an outage, bounded where librdkafka's defaults leave it
 * slow. Reconnects: librdkafka backs off up to 10 s (+50 % jitter) between attempts to a broker
 * that keeps refusing, so a broker that is back can sit unused for up to 15 s; 1 s (the Java
 * client's default) costs one refused connection a second while it is down. Heartbeats: a
 * surviving member hears of a rebalance (a crashed member's partitions to take over) only with
 * its next heartbeat, so a takeover takes the session timeout plus up to one heartbeat interval.
 */
export const RECONNECT_BACKOFF_MAX_MS = 1_000
export const heartbeatIntervalMs = (sessionTimeoutMs: number) =>
  Math.min(1_000, Math.floor(sessionTimeoutMs / 3))

/** librdkafka's default `fetch.message.max.bytes`. */
const DEFAULT_FETCH_MESSAGE_MAX_BYTES = 1_048_576

/**
 * A librdkafka consumer for manual, exactly-after-storage commits: no automatic commit or offset
 * store, cooperative rebalancing driven by our own callback.
 */
export function createKafkaConsumer(
  settings: ConsumerSettings,
  callbacks: ConsumerCallbacks,
): rdkafka.KafkaConsumer {
  const consumer = new rdkafka.KafkaConsumer(consumerGlobalConfig(settings, callbacks), {
    'auto.offset.reset': settings.start,
  })
  consumer.setDefaultConsumeTimeout(settings.pollTimeoutMs)
  return consumer
}

/** librdkafka's global settings of the consumer (exported for its tests). */
export function consumerGlobalConfig(
  settings: ConsumerSettings,
  callbacks: ConsumerCallbacks,
): rdkafka.ConsumerGlobalConfig {
  return {
    'metadata.broker.list': settings.brokers.join(','),
    'client.id': settings.clientId,
    'group.id': settings.groupId,
    ...(settings.groupInstanceId !== undefined && { 'group.instance.id': settings.groupInstanceId }),
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'partition.assignment.strategy': 'cooperative-sticky',
    // consume(n) keeps waiting up to the poll timeout for more messages once it has some; with
    // EOF events it waits 1 ms instead once a partition with data is drained. (node-rdkafka 3.6
    // has no setDefaultIsTimeoutOnlyForFirstMessage.)
    'enable.partition.eof': true,
    // The broker holds an empty fetch this long even when data arrives meanwhile (measured).
    'fetch.wait.max.ms': settings.fetchWaitMaxMs,
    // A batch as big as the broker accepts comes in one fetch, not after librdkafka has grown its
    // per-partition size (1 MiB by default, 12 bytes short of the broker's default limit) by retrying.
    'fetch.message.max.bytes': Math.max(DEFAULT_FETCH_MESSAGE_MAX_BYTES, settings.messageMaxBytes),
    'session.timeout.ms': settings.sessionTimeoutMs,
    'heartbeat.interval.ms': heartbeatIntervalMs(settings.sessionTimeoutMs),
    'reconnect.backoff.max.ms': RECONNECT_BACKOFF_MAX_MS,
    rebalance_cb: callbacks.onRebalance,
    offset_commit_cb: callbacks.onCommitted,
  }
}

export function connect(consumer: rdkafka.KafkaConsumer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) =>
    consumer.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve())),
  )
}

/** Up to `size` messages: returns as soon as some are there, or empty after the poll timeout. */
export function poll(consumer: rdkafka.KafkaConsumer, size: number): Promise<Message[]> {
  return new Promise((resolve, reject) =>
    consumer.consume(size, (error, messages) => (error ? reject(error) : resolve(messages))),
  )
}

/** Leaves the group; false if that took longer than `timeoutMs` (e.g. broker unreachable). */
export async function disconnectWithin(consumer: rdkafka.KafkaConsumer, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  const disconnected = new Promise<true>((resolve) => consumer.disconnect(() => resolve(true)))
  try {
    return await Promise.race([disconnected, timedOut])
  } finally {
    clearTimeout(timer)
  }
}
