import { DeadLetterHeaders, decode, Topics } from '@kafka-ref/shared-contracts'
import { describe, expect, it } from 'vitest'
import { deadLetterHeaders } from '../../src/dead-letter/dead-letter-message.ts'

describe('deadLetterHeaders', () => {
  it('keeps the original headers and adds why and where the message failed', () => {
    const value = Buffer.from('{oops')
    const result = decode({ value })
    if (result.ok) throw new Error('expected a decode failure')
    const message = {
      topic: Topics.userRegister,
      partition: 2,
      offset: 41,
      value,
      size: value.length,
      headers: [{ correlation_id: Buffer.from('abc') }],
    }
    const failedAt = new Date('2025-01-02T03:04:05.000Z')
    const headers = deadLetterHeaders(message, result.error, failedAt)
    expect(headers).toEqual([
      { correlation_id: Buffer.from('abc') },
      { [DeadLetterHeaders.reason]: 'not_json' },
      { [DeadLetterHeaders.error]: result.error.message },
      { [DeadLetterHeaders.topic]: Topics.userRegister },
      { [DeadLetterHeaders.partition]: '2' },
      { [DeadLetterHeaders.offset]: '41' },
      { [DeadLetterHeaders.failedAt]: '2025-01-02T03:04:05.000Z' },
    ])
  })
})
