import { setTimeout as sleep } from 'node:timers/promises'
import rdkafka from 'node-rdkafka'

// The librdkafka producer under the dead-letter producer: recognising its errors, connecting,
// disconnecting, and asking the broker about the topic.

/** How often the producer is polled; delivery reports only arrive when it is. */
const POLL_INTERVAL_MS = 10

/**
 * An idempotent producer (acks=all) whose sends fail after `timeoutMs`, reporting every delivery
 * (`dr_cb`); the caller listens to its events.
 */
export function newProducerClient(options: {
  brokers: readonly string[]
  clientId: string
  timeoutMs: number
  /** What librdkafka lets through at produce time. */
  maxRecordBytes: number
  settings?: Partial<rdkafka.ProducerGlobalConfig>
}): rdkafka.Producer {
  return new rdkafka.Producer(
    {
      'metadata.broker.list': options.brokers.join(','),
      'client.id': `${options.clientId}-dead-letter`,
      'enable.idempotence': true,
      'linger.ms': 5,
      // librdkafka's default (1,000,000) is below the broker's (1,048,588): a message the broker
      // accepted could not be copied whole.
      'message.max.bytes': options.maxRecordBytes,
      // A missing dead-letter topic is reported (see DeadLetterTopicCheck), never created with the
      // broker's defaults (partitions, retention) behind the operator's back.
      'allow.auto.create.topics': false,
      dr_cb: true,
      ...options.settings,
    },
    { 'request.required.acks': -1, 'message.timeout.ms': options.timeoutMs },
  )
}

const { ERR_MSG_SIZE_TOO_LARGE, ERR_RECORD_LIST_TOO_LARGE } = rdkafka.CODES.ERRORS

/**
 * produce() throws errors with their code, but node-rdkafka 3.6 hands delivery-report errors over
 * as text only (librdkafka's err2str, code -1), so those are recognised by that text.
 */
const fields = (error: unknown) => (error ?? {}) as { code?: unknown; message?: unknown }
const textMatches = (message: unknown, text: RegExp) => typeof message === 'string' && text.test(message)

export function isTooLarge(error: unknown): boolean {
  const { code, message } = fields(error)
  return (
    code === ERR_MSG_SIZE_TOO_LARGE ||
    code === ERR_RECORD_LIST_TOO_LARGE ||
    textMatches(message, /message size too large|message batch larger than configured server segment size/i)
  )
}

export async function connectClient(client: rdkafka.Producer, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    client.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve())),
  )
  client.setPollInterval(POLL_INTERVAL_MS)
}

/** Rejects once `signal` aborts (close() stops a recreation waiting for a connection). */
export function aborted(signal: AbortSignal): Promise<never> {
  const promise = new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(new Error('dead-letter producer closed')), { once: true }),
  )
  // Also rejects after the race it was in is over: that must not be an unhandled rejection.
  promise.catch(() => undefined)
  return promise
}

/**
 * Flushes for up to `timeoutMs` and disconnects, giving up after twice that (an unreachable
 * broker may hold the disconnection). Nothing to do for a producer that is not connected.
 */
export async function disconnectWithin(client: rdkafka.Producer, timeoutMs: number): Promise<void> {
  if (!client.isConnected()) return
  await Promise.race([
    new Promise<void>((resolve) => client.disconnect(timeoutMs, () => resolve())),
    sleep(timeoutMs * 2, undefined, { ref: false }),
  ])
}

/**
 * Whether the broker knows `topic`, asked for that topic alone. Never creates it: the producer
 * is made with `allow.auto.create.topics=false`, without which a metadata request for a missing
 * topic makes a broker that auto-creates topics create it (with the broker's defaults).
 */
export async function topicExists(
  client: rdkafka.Producer,
  topic: string,
  timeoutMs: number,
): Promise<boolean> {
  const metadata = await new Promise<rdkafka.Metadata>((resolve, reject) =>
    client.getMetadata({ topic, allTopics: false, timeout: timeoutMs }, (error, data) =>
      error ? reject(error) : resolve(data),
    ),
  )
  // A missing topic comes back with no partitions.
  return metadata.topics.some((entry) => entry.name === topic && entry.partitions.length > 0)
}
