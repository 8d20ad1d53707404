import { describe, expect, it } from 'vitest'
import { createUserRegisterEvent } from '../../src/events/create.ts'
import { UserRegisterEventV1 } from '../../src/events/user-register.ts'
import { CORRELATION_ID, EVENT_ID, TRACEPARENT, TRACESTATE, USER_ID, userData } from '../support/events.ts'

describe('createUserRegisterEvent', () => {
  it('builds a complete v1 event from the data and context', () => {
    const time = new Date('2025-01-15T10:30:00.000Z')
    const data = userData({ displayName: 'Ada' })
    expect(createUserRegisterEvent(data, { correlationId: CORRELATION_ID, id: EVENT_ID, time })).toEqual({
      specversion: '1.0',
      id: EVENT_ID,
      source: '/user-service',
      type: 'user_register',
      time: '2025-01-15T10:30:00.000Z',
      datacontenttype: 'application/json',
      dataversion: 1,
      correlationid: CORRELATION_ID,
      subject: USER_ID,
      data,
    })
  })

  it('carries the trace context it is given (the CloudEvents distributed-tracing extension)', () => {
    const event = createUserRegisterEvent(userData(), {
      correlationId: CORRELATION_ID,
      traceparent: TRACEPARENT,
      tracestate: TRACESTATE,
    })
    expect(event).toMatchObject({ traceparent: TRACEPARENT, tracestate: TRACESTATE })
    expect(UserRegisterEventV1.parse(event)).toEqual(event)
  })

  it('leaves the tracing attributes out when there is no trace', () => {
    const event = createUserRegisterEvent(userData(), { correlationId: CORRELATION_ID })
    expect(Object.keys(event)).not.toContain('traceparent')
    expect(Object.keys(event)).not.toContain('tracestate')
  })

  it('drops an invalid trace context instead of failing: a bad tracing header never fails a registration', () => {
    const event = createUserRegisterEvent(userData(), {
      correlationId: CORRELATION_ID,
      traceparent: 'garbage from a client',
      tracestate: TRACESTATE,
    })
    expect(Object.keys(event)).not.toContain('traceparent')
    expect(Object.keys(event)).not.toContain('tracestate')
    const stateOnly = createUserRegisterEvent(userData(), {
      correlationId: CORRELATION_ID,
      traceparent: TRACEPARENT,
      tracestate: 'Not Valid',
    })
    expect(stateOnly.traceparent).toBe(TRACEPARENT)
    expect(Object.keys(stateOnly)).not.toContain('tracestate')
  })

  it('uses the user id as subject (and so as Kafka key)', () => {
    const other = '6a1d3c7e-9b2f-4e8a-b1c3-d5e7f9a1b3c5'
    const event = createUserRegisterEvent(userData({ userId: other }), { correlationId: CORRELATION_ID })
    expect(event.subject).toBe(other)
  })

  it('defaults to a fresh UUID id and the current time', () => {
    const before = Date.now()
    const a = createUserRegisterEvent(userData(), { correlationId: CORRELATION_ID })
    const b = createUserRegisterEvent(userData(), { correlationId: CORRELATION_ID })
    expect(UserRegisterEventV1.parse(a)).toEqual(a)
    expect(a.id).not.toBe(b.id)
    expect(Date.parse(a.time)).toBeGreaterThanOrEqual(before)
    expect(Date.parse(a.time)).toBeLessThanOrEqual(Date.now())
  })

  it('validates, so an invalid event is never produced', () => {
    expect(() =>
      createUserRegisterEvent(userData({ email: 'nope' }), { correlationId: CORRELATION_ID }),
    ).toThrow(/email/)
    expect(() => createUserRegisterEvent(userData(), { correlationId: '' })).toThrow(/correlationid/)
  })

  it('drops fields the schema does not know, so nothing unvetted (like a password) leaks', () => {
    const data = { ...userData(), password: 'correct horse battery staple' }
    const event = createUserRegisterEvent(data, { correlationId: CORRELATION_ID })
    expect(event.data).not.toHaveProperty('password')
  })
})
