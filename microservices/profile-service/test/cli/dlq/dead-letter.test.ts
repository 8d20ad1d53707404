import { DeadLetterHeaders, EventHeaders } from '@kafka-ref/shared-contracts'
import type { Message, MessageHeader } from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { readDeadLetter, redriveRecord } from '../../../src/cli/dlq/dead-letter.ts'

const original: MessageHeader[] = [
  { [EventHeaders.id]: Buffer.from('e-1') },
  { [EventHeaders.dataVersion]: Buffer.from('2') },
]
const why = (extra: Record<string, string> = {}) =>
  Object.entries({
    [DeadLetterHeaders.reason]: 'unsupported_version',
    [DeadLetterHeaders.error]: "'user_register' data version 2 is not supported here (accepted: 1)",
    [DeadLetterHeaders.topic]: 'user_register',
    [DeadLetterHeaders.partition]: '2',
    [DeadLetterHeaders.offset]: '41',
    [DeadLetterHeaders.failedAt]: '2026-12-01T10:00:00.000Z',
    ...extra,
  }).map(([name, value]) => ({ [name]: Buffer.from(value) }))

const message = (headers: Message['headers'], value: Buffer | null = Buffer.from('{}')): Message => ({
  topic: 'user_register_dlq',
  partition: 1,
  offset: 7,
  key: Buffer.from('user-1'),
  value,
  size: value?.length ?? 0,
  timestamp: 0,
  headers,
})

describe('readDeadLetter', () => {
  it('reads where it came from and why, and keeps the original headers apart', () => {
    const deadLetter = readDeadLetter(message([...original, ...why()]))
    expect(deadLetter).toMatchObject({
      partition: 1,
      offset: 7,
      reason: 'unsupported_version',
      source: { topic: 'user_register', partition: 2, offset: 41 },
      failedAt: new Date('2026-12-01T10:00:00.000Z'),
      truncated: false,
      redriveCount: 0,
      dataVersion: '2',
    })
    expect(deadLetter.originalHeaders).toEqual(original)
  })

  it('reads a count left by an earlier re-drive, a truncation, and the data version from the value', () => {
    const headers = [
      { [DeadLetterHeaders.redriveCount]: Buffer.from('2') },
      ...why({ [DeadLetterHeaders.truncated]: 'cut' }),
    ]
    const deadLetter = readDeadLetter(message(headers, Buffer.from('{"dataversion":1}')))
    expect(deadLetter).toMatchObject({
      redriveCount: 2,
      truncated: true,
      dataVersion: '1',
      originalHeaders: [],
    })
  })

  it('has no source when the headers do not say, and an unknown version for a value that is not an event', () => {
    const deadLetter = readDeadLetter(message([], Buffer.from([0xff])))
    expect(deadLetter).toMatchObject({ source: undefined, reason: 'unknown', dataVersion: 'unknown' })
  })
})

describe('redriveRecord', () => {
  it('is the original key, value and headers, with the re-drive count one up and no dead-letter header', () => {
    const value = Buffer.from('{"dataversion":2}')
    const previous = [...original, { [DeadLetterHeaders.redriveCount]: Buffer.from('1') }, ...why()]
    expect(redriveRecord(readDeadLetter(message(previous, value)))).toEqual({
      key: Buffer.from('user-1'),
      value,
      headers: [...original, { [DeadLetterHeaders.redriveCount]: '2' }],
    })
  })
})
