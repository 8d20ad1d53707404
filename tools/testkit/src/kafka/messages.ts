import type { Message, MessageHeader } from 'node-rdkafka'

/** Where the broker stored a record. */
export interface Delivered {
  partition: number
  offset: number
}

/** A record as a test writes it: bytes or text, nothing of the contracts' codec involved. */
export interface RawRecord {
  value: Buffer | string | null
  key?: string
  headers?: Record<string, string>
  /** Default: the partitioner picks it from the key. */
  partition?: number
}

/** node-rdkafka's header form: a list of one-key objects. */
export function headerList(headers: Record<string, string>): MessageHeader[] {
  return Object.entries(headers).map(([name, value]) => ({ [name]: value }))
}

/** Headers of a node-rdkafka message as a plain object (the last value wins for a repeated name). */
export function headersOf(message: Message): Record<string, string> {
  return Object.fromEntries(
    (message.headers ?? []).flatMap((header) => Object.entries(header).map(([k, v]) => [k, String(v)])),
  )
}
