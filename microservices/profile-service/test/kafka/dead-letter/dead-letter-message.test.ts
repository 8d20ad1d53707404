import { DeadLetterHeaders, decode, EventHeaders, Topics } from '@kafka-ref/shared-contracts'
import { describe, expect, it } from 'vitest'
import {
  deadLetterHeaders,
  deadLetterRecord,
  headersOnlyRecord,
  recordSize,
} from '../../../src/kafka/dead-letter/dead-letter-message.ts'

function poison(value: Buffer) {
  const result = decode({ value })
  if (result.ok) throw new Error('expected a decode failure')
  const message = {
    topic: Topics.userRegister,
    partition: 1,
    offset: 7,
    key: 'user-key',
    value,
    size: value.length,
    headers: [{ [EventHeaders.correlationId]: Buffer.from('abc') }],
  }
  return { message, error: result.error }
}

const headerValue = (headers: Array<Record<string, string | Buffer>>, name: string) =>
  headers.find((header) => Object.hasOwn(header, name))?.[name]?.toString()

describe('deadLetterHeaders', () => {
  it('keeps the original headers and adds why and where the message failed', () => {
    const { message, error } = poison(Buffer.from('{oops'))
    const failedAt = new Date('2025-01-02T03:04:05.000Z')
    const headers = deadLetterHeaders(message, error, failedAt)
    expect(headers).toEqual([
      { [EventHeaders.correlationId]: Buffer.from('abc') },
      { [DeadLetterHeaders.reason]: 'not_json' },
      { [DeadLetterHeaders.error]: error.message },
      { [DeadLetterHeaders.topic]: Topics.userRegister },
      { [DeadLetterHeaders.partition]: '1' },
      { [DeadLetterHeaders.offset]: '7' },
      { [DeadLetterHeaders.failedAt]: '2025-01-02T03:04:05.000Z' },
    ])
  })

  it('copies a message whole when it fits', () => {
    const { message, error } = poison(Buffer.from('x'.repeat(1000)))
    const failedAt = new Date('2025-01-02T03:04:05.000Z')
    const record = deadLetterRecord(message, error, { maxBytes: 10_000, failedAt })
    expect(record).toEqual({
      key: 'user-key',
      value: message.value,
      headers: deadLetterHeaders(message, error, failedAt),
    })
    expect(headerValue(record.headers, DeadLetterHeaders.truncated)).toBeUndefined()
  })

  it('cuts the value of a copy too big for the limit, and says so', () => {
    const { message, error } = poison(Buffer.from('x'.repeat(20_000)))
    const record = deadLetterRecord(message, error, { maxBytes: 10_000 })
    expect(recordSize(record)).toBeLessThanOrEqual(10_000)
    expect(record.key).toBe('user-key')
    expect(record.value!.length).toBeGreaterThan(9000)
    expect(record.value).toEqual(message.value.subarray(0, record.value!.length))
    expect(headerValue(record.headers, EventHeaders.correlationId)).toBe('abc')
    expect(headerValue(record.headers, DeadLetterHeaders.offset)).toBe('7')
    expect(headerValue(record.headers, DeadLetterHeaders.originalSize)).toBe('20000')
    expect(headerValue(record.headers, DeadLetterHeaders.truncated)).toMatch(
      new RegExp(
        `^value cut to ${record.value!.length} of 20000 bytes: .* exceeds the dead-letter limit of 10000$`,
      ),
    )
  })

  it('keeps only the dead-letter headers when key and headers alone are too big', () => {
    const { message, error } = poison(Buffer.from('x'.repeat(100)))
    const huge = { ...message, headers: [{ big: Buffer.alloc(20_000) }] }
    const record = deadLetterRecord(huge, error, { maxBytes: 10_000 })
    expect(recordSize(record)).toBeLessThanOrEqual(10_000)
    expect(record.key).toBeNull()
    expect(record.value).toBeNull()
    expect(headerValue(record.headers, 'big')).toBeUndefined()
    expect(headerValue(record.headers, DeadLetterHeaders.reason)).toBe('not_json')
    expect(headerValue(record.headers, DeadLetterHeaders.truncated)).toMatch(
      /^key, value and headers dropped: /,
    )
  })

  it('builds a headers-only copy with the given reason', () => {
    const { message, error } = poison(Buffer.from('x'.repeat(100)))
    const record = headersOnlyRecord(message, error, 'refused by the broker')
    expect(record.key).toBeNull()
    expect(record.value).toBeNull()
    expect(headerValue(record.headers, DeadLetterHeaders.truncated)).toBe(
      'key, value and headers dropped: refused by the broker',
    )
    expect(headerValue(record.headers, DeadLetterHeaders.originalSize)).toBe('100')
    expect(headerValue(record.headers, DeadLetterHeaders.partition)).toBe('1')
  })
})
