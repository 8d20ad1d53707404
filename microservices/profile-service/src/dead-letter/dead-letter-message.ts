import { DeadLetterHeaders, type DecodeError } from '@kafka-ref/shared-contracts'
import type { Message, MessageHeader } from 'node-rdkafka'

/** Longest error text kept in a header; a schema violation listing every issue can be long. */
const MAX_ERROR_LENGTH = 2000

/**
 * The original key, value and headers, plus headers saying why and where from, so the message can
 * be inspected and replayed as it was.
 */
export function deadLetterHeaders(
  message: Message,
  error: DecodeError,
  failedAt = new Date(),
): MessageHeader[] {
  return [
    ...(message.headers ?? []),
    { [DeadLetterHeaders.reason]: error.reason },
    { [DeadLetterHeaders.error]: error.message.slice(0, MAX_ERROR_LENGTH) },
    { [DeadLetterHeaders.topic]: message.topic },
    { [DeadLetterHeaders.partition]: String(message.partition) },
    { [DeadLetterHeaders.offset]: String(message.offset) },
    { [DeadLetterHeaders.failedAt]: failedAt.toISOString() },
  ]
}
