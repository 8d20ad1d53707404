import { DeadLetterHeaders, type DeadLetterReason } from '@kafka-ref/shared-contracts'
import type { Message, MessageHeader } from 'node-rdkafka'

/** Longest error text kept in a header; a schema violation listing every issue can be long. */
const MAX_ERROR_LENGTH = 2000

/**
 * What librdkafka adds to key, value and headers when it checks a record against its
 * `message.max.bytes` at produce time: the most a v2 record's varints can take (5 varints of up
 * to 5 bytes, one of up to 10, one attribute byte), and per header two length varints.
 */
const RECORD_OVERHEAD_BYTES = 36
const HEADER_OVERHEAD_BYTES = 10

/** Why a message is dead-lettered: a `DecodeError`, or an event the database refuses for good. */
export interface DeadLetterCause {
  reason: DeadLetterReason
  /** For people (the `dlq_error` header). */
  message: string
}

export interface DeadLetterRecord {
  key: Message['key']
  value: Buffer | null
  headers: MessageHeader[]
}

/**
 * The original key, value and headers, plus headers saying why and where from, so the message can
 * be inspected and replayed as it was.
 */
export function deadLetterHeaders(
  message: Message,
  error: DeadLetterCause,
  failedAt = new Date(),
): MessageHeader[] {
  return [...(message.headers ?? []), ...whyHeaders(message, error, failedAt)]
}

function whyHeaders(message: Message, error: DeadLetterCause, failedAt: Date): MessageHeader[] {
  return [
    { [DeadLetterHeaders.reason]: error.reason },
    { [DeadLetterHeaders.error]: error.message.slice(0, MAX_ERROR_LENGTH) },
    { [DeadLetterHeaders.topic]: message.topic },
    { [DeadLetterHeaders.partition]: String(message.partition) },
    { [DeadLetterHeaders.offset]: String(message.offset) },
    { [DeadLetterHeaders.failedAt]: failedAt.toISOString() },
  ]
}

const byteLength = (data: string | Buffer | null | undefined) =>
  data == null ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length

function headersSize(headers: readonly MessageHeader[]): number {
  let size = 0
  for (const header of headers) {
    for (const [name, value] of Object.entries(header))
      size += HEADER_OVERHEAD_BYTES + byteLength(name) + byteLength(value)
  }
  return size
}

/** The size librdkafka compares with `message.max.bytes` when the record is produced (an upper bound). */
export function recordSize(record: DeadLetterRecord): number {
  return (
    RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value) + headersSize(record.headers)
  )
}

function truncationHeaders(what: string, originalSize: number): MessageHeader[] {
  return [{ [DeadLetterHeaders.truncated]: what }, { [DeadLetterHeaders.originalSize]: String(originalSize) }]
}

/**
 * The dead-letter copy of `message`, whole if it fits in `maxBytes` (as `recordSize` counts). If
 * not, a copy cut down to fit, saying so in `dlq_truncated` and `dlq_original_size`: the value is
 * cut; if key and headers alone are too big, the copy keeps only the dead-letter headers. The
 * original stays in its topic at `dlq_original_offset`: only the convenience of a full copy is lost.
 */
export function deadLetterRecord(
  message: Message,
  error: DeadLetterCause,
  { maxBytes, failedAt = new Date() }: { maxBytes: number; failedAt?: Date },
): DeadLetterRecord {
  const whole: DeadLetterRecord = {
    key: message.key,
    value: message.value,
    headers: deadLetterHeaders(message, error, failedAt),
  }
  const size = recordSize(whole)
  if (size <= maxBytes) return whole

  const limit = `the copy of ${size} bytes exceeds the dead-letter limit of ${maxBytes}`
  const valueSize = byteLength(message.value)
  const cut = (kept: number) =>
    truncationHeaders(`value cut to ${kept} of ${valueSize} bytes: ${limit}`, valueSize)
  // Measured with the longest text the header can have, so the cut value fits once it is written.
  const room =
    maxBytes - recordSize({ key: message.key, value: null, headers: [...whole.headers, ...cut(valueSize)] })
  if (room < 0) return headersOnlyRecord(message, error, limit, failedAt)
  const value = message.value?.subarray(0, room) ?? null
  return { key: message.key, value, headers: [...whole.headers, ...cut(byteLength(value))] }
}

/**
 * The smallest copy: no key, value or original headers, only the headers saying why and where
 * from. For when even a copy cut to the configured limit was refused as too large.
 */
export function headersOnlyRecord(
  message: Message,
  error: DeadLetterCause,
  reason: string,
  failedAt = new Date(),
): DeadLetterRecord {
  return {
    key: null,
    value: null,
    headers: [
      ...whyHeaders(message, error, failedAt),
      ...truncationHeaders(`key, value and headers dropped: ${reason}`, byteLength(message.value)),
    ],
  }
}
