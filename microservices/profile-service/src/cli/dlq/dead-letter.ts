import { DeadLetterHeaders, EventHeaders } from '@kafka-ref/shared-contracts'
import type { Message, MessageHeader } from 'node-rdkafka'

/** Where a dead letter came from: what its `dlq_original_*` headers say. */
export interface Source {
  topic: string
  partition: number
  offset: number
}

/** A message of the dead-letter topic, as the re-drive command reads it. */
export interface DeadLetter {
  /** Its place in the dead-letter topic. */
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  /** The original message's headers: every header but the dead-letter ones. */
  originalHeaders: MessageHeader[]
  reason: string
  error: string
  /** Undefined when the headers do not say (not written by our consumer, or damaged). */
  source: Source | undefined
  failedAt: Date
  /** A copy cut down to fit the dead-letter topic (`dlq_truncated`): never re-driven. */
  truncated: boolean
  /** How often the original had been re-driven before it was dead-lettered (this time). */
  redriveCount: number
  /** From the `ce_dataversion` header, else the value's `dataversion`; `unknown` if neither says. */
  dataVersion: string
}

const DEAD_LETTER_HEADERS = new Set<string>(Object.values(DeadLetterHeaders))

function headerText(headers: readonly MessageHeader[], name: string): string | undefined {
  // The last one counts: the consumer appends its headers after the original ones.
  for (let i = headers.length - 1; i >= 0; i--) {
    const value = headers[i]?.[name]
    if (value !== undefined) return value.toString()
  }
  return undefined
}

const decimal = (text: string | undefined) =>
  text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined

function dataVersionOf(headers: readonly MessageHeader[], value: Buffer | null): string {
  const header = headerText(headers, EventHeaders.dataVersion)
  if (header !== undefined) return header
  try {
    const version = (JSON.parse(value?.toString('utf8') ?? '') as { dataversion?: unknown }).dataversion
    return typeof version === 'number' ? String(version) : 'unknown'
  } catch {
    return 'unknown'
  }
}

export function readDeadLetter(message: Message): DeadLetter {
  const headers = message.headers ?? []
  const text = (name: string) => headerText(headers, name)
  const [topic, partition, offset] = [
    text(DeadLetterHeaders.topic),
    decimal(text(DeadLetterHeaders.partition)),
    decimal(text(DeadLetterHeaders.offset)),
  ]
  const failedAt = new Date(text(DeadLetterHeaders.failedAt) ?? message.timestamp ?? 0)
  return {
    partition: message.partition,
    offset: message.offset,
    key: typeof message.key === 'string' ? Buffer.from(message.key) : (message.key ?? null),
    value: message.value,
    originalHeaders: headers.filter(
      (header) => !Object.keys(header).some((name) => DEAD_LETTER_HEADERS.has(name)),
    ),
    reason: text(DeadLetterHeaders.reason) ?? 'unknown',
    error: text(DeadLetterHeaders.error) ?? '',
    source:
      topic && partition !== undefined && offset !== undefined ? { topic, partition, offset } : undefined,
    failedAt: Number.isNaN(failedAt.getTime()) ? new Date(0) : failedAt,
    truncated: text(DeadLetterHeaders.truncated) !== undefined,
    redriveCount: decimal(text(DeadLetterHeaders.redriveCount)) ?? 0,
    dataVersion: dataVersionOf(headers, message.value),
  }
}

/** The record to republish: the original key, value and headers, and the re-drive count, one up. */
export function redriveRecord(deadLetter: DeadLetter) {
  return {
    key: deadLetter.key,
    value: deadLetter.value,
    headers: [
      ...deadLetter.originalHeaders,
      { [DeadLetterHeaders.redriveCount]: String(deadLetter.redriveCount + 1) },
    ] as MessageHeader[],
  }
}
