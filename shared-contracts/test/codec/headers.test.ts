import { describe, expect, it } from 'vitest'
import { encode } from '../../src/codec/codec.ts'
import { DeadLetterMessageHeaders, eventMessageHeaders } from '../../src/codec/headers.ts'
import { DeadLetterHeaders, EventHeaders } from '../../src/names.ts'
import { TRACEPARENT, TRACESTATE, userRegisterEvent } from '../support/events.ts'

describe('eventMessageHeaders', () => {
  const schema = eventMessageHeaders('user_register', 1)

  it.each([
    ['an untraced event', userRegisterEvent()],
    ['a traced event', userRegisterEvent({ traceparent: TRACEPARENT, tracestate: TRACESTATE })],
  ])('describes exactly the headers encode sets for %s', (_, event) => {
    const { headers } = encode(event)
    expect(schema.strict().parse(headers)).toEqual(headers)
  })

  it('names its keys with EventHeaders', () => {
    expect(Object.keys(schema.shape).sort()).toEqual(Object.values(EventHeaders).sort())
  })

  it('pins the type and data version', () => {
    const { headers } = encode(userRegisterEvent())
    expect(schema.safeParse({ ...headers, ce_type: 'user_delete' }).success).toBe(false)
    expect(schema.safeParse({ ...headers, ce_dataversion: '2' }).success).toBe(false)
  })
})

describe('DeadLetterMessageHeaders', () => {
  const headers = {
    [DeadLetterHeaders.reason]: 'not_json',
    [DeadLetterHeaders.error]: 'value is not UTF-8 JSON',
    [DeadLetterHeaders.topic]: 'user_register',
    [DeadLetterHeaders.partition]: '2',
    [DeadLetterHeaders.offset]: '41',
    [DeadLetterHeaders.failedAt]: '2025-01-15T10:30:00.000Z',
  }

  it('accepts the dead-letter headers with the original ones kept', () => {
    const withOriginal = { ...headers, correlation_id: 'req-1', 'x-foreign': 'kept' }
    expect(DeadLetterMessageHeaders.parse(withOriginal)).toEqual(withOriginal)
  })

  it.each([
    [DeadLetterHeaders.reason, 'bad_luck'],
    [DeadLetterHeaders.partition, '-1'],
    [DeadLetterHeaders.offset, 'ten'],
    [DeadLetterHeaders.failedAt, 'yesterday'],
  ])('rejects %s = %j', (name, value) => {
    expect(DeadLetterMessageHeaders.safeParse({ ...headers, [name]: value }).success).toBe(false)
  })
})
