import { describe, expect, it } from 'vitest'
import { decode, encode } from '../../src/codec/codec.ts'
import { createUserRegisterEvent } from '../../src/events/create.ts'
import { EventHeaders } from '../../src/names.ts'
import {
  CORRELATION_ID,
  EVENT_ID,
  TRACEPARENT,
  TRACESTATE,
  USER_ID,
  userData,
  userRegisterEvent,
} from '../support/events.ts'

describe('encode', () => {
  const event = userRegisterEvent({ data: userData({ displayName: 'Ada' }) })
  const message = encode(event)

  it('keys the message by the user id, so one user’s events stay ordered in one partition', () => {
    expect(message.key).toBe(USER_ID)
    expect(message.key).toBe(event.data.userId)
  })

  it('puts the whole CloudEvent in the value (structured mode)', () => {
    expect(JSON.parse(message.value)).toEqual(event)
  })

  it('repeats routing and tracing attributes as string headers', () => {
    expect(message.headers).toEqual({
      'content-type': 'application/cloudevents+json',
      ce_id: EVENT_ID,
      ce_type: 'user_register',
      ce_dataversion: '1',
      correlation_id: CORRELATION_ID,
    })
  })

  it('names its headers with the exported constants', () => {
    expect(Object.keys(message.headers).sort()).toEqual(
      [
        EventHeaders.contentType,
        EventHeaders.id,
        EventHeaders.type,
        EventHeaders.dataVersion,
        EventHeaders.correlationId,
      ].sort(),
    )
  })

  it('sends the trace context as W3C traceparent/tracestate headers, for Kafka tracing instrumentation', () => {
    const traced = encode(userRegisterEvent({ traceparent: TRACEPARENT, tracestate: TRACESTATE }))
    expect(traced.headers).toMatchObject({ traceparent: TRACEPARENT, tracestate: TRACESTATE })
    expect(JSON.parse(traced.value)).toMatchObject({ traceparent: TRACEPARENT, tracestate: TRACESTATE })
    const parentOnly = encode(userRegisterEvent({ traceparent: TRACEPARENT }))
    expect(parentOnly.headers.traceparent).toBe(TRACEPARENT)
    expect(parentOnly.headers).not.toHaveProperty('tracestate')
  })
})

describe('encode → decode', () => {
  const event = createUserRegisterEvent(userData({ displayName: 'Zoë 😀' }), {
    correlationId: CORRELATION_ID,
  })

  it('round-trips the trace context', () => {
    const traced = createUserRegisterEvent(userData(), {
      correlationId: CORRELATION_ID,
      traceparent: TRACEPARENT,
      tracestate: TRACESTATE,
    })
    expect(decode({ value: encode(traced).value })).toEqual({ ok: true, event: traced })
  })

  it('round-trips a string value', () => {
    expect(decode({ value: encode(event).value })).toEqual({ ok: true, event })
  })

  it('round-trips a UTF-8 Uint8Array value, as Kafka clients deliver it', () => {
    const bytes = new TextEncoder().encode(encode(event).value)
    expect(decode({ value: bytes })).toEqual({ ok: true, event })
  })

  it('ignores the headers: a lying ce_type header does not change the result', () => {
    const message = { ...encode(event), headers: { ce_type: 'user_delete' } }
    expect(decode(message)).toEqual({ ok: true, event })
  })
})
