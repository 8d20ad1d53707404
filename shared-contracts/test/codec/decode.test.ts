import { describe, expect, it } from 'vitest'
import { type DecodeResult, decode, MAX_EVENT_BYTES } from '../../src/codec/codec.ts'
import type { DecodeErrorReason } from '../../src/codec/decode-error.ts'
import {
  TRACEPARENT,
  TRACESTATE,
  userData,
  userRegisterEvent,
  userRegisterEventV2,
} from '../support/events.ts'

const json = (value: unknown) => JSON.stringify(value)

function failureOf(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a failure, decoded ${JSON.stringify(result.event)}`)
  return result.error
}

function expectFailure(result: DecodeResult, reason: DecodeErrorReason) {
  const error = failureOf(result)
  expect(error.reason).toBe(reason)
  expect(error.message).not.toBe('')
  return error
}

describe('decode', () => {
  it('decodes a valid event and drops nothing it knows', () => {
    const event = userRegisterEvent()
    expect(decode({ value: json(event) })).toEqual({ ok: true, event })
  })

  describe('trace context (CloudEvents distributed-tracing extension)', () => {
    it('keeps a valid traceparent and tracestate', () => {
      const event = userRegisterEvent({ traceparent: TRACEPARENT, tracestate: TRACESTATE })
      expect(decode({ value: json(event) })).toEqual({ ok: true, event })
    })

    it.each([
      ['malformed', 'not-a-traceparent'],
      ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
      ['not a string', 42],
    ])('treats a %s traceparent as absent, with its tracestate, instead of rejecting the event', (_, bad) => {
      const result = decode({
        value: json({ ...userRegisterEvent(), traceparent: bad, tracestate: TRACESTATE }),
      })
      if (!result.ok) throw result.error
      expect(result.event).toStrictEqual(userRegisterEvent())
    })

    it('treats an invalid tracestate as absent and keeps the traceparent', () => {
      const value = json({ ...userRegisterEvent({ traceparent: TRACEPARENT }), tracestate: 'Not Valid' })
      const result = decode({ value })
      if (!result.ok) throw result.error
      expect(result.event).toStrictEqual(userRegisterEvent({ traceparent: TRACEPARENT }))
    })

    it('still rejects an event that is invalid for another reason', () => {
      const value = json({ ...userRegisterEvent({ id: 'not-a-uuid' }), traceparent: 'bad' })
      expectFailure(decode({ value }), 'schema_violation')
    })
  })

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['empty bytes', new Uint8Array()],
  ])('rejects %s as empty', (_, value) => {
    expectFailure(decode({ value }), 'empty')
  })

  describe('size limit', () => {
    it('is 64 KiB by default', () => {
      expect(MAX_EVENT_BYTES).toBe(65_536)
    })

    it('rejects a value over the limit before parsing it', () => {
      const error = expectFailure(decode({ value: 'x'.repeat(MAX_EVENT_BYTES + 1) }), 'oversized')
      expect(error.message).toContain(String(MAX_EVENT_BYTES))
    })

    it('counts UTF-8 bytes, not UTF-16 code units', () => {
      // 'é' is one code unit but two bytes: 6 characters are 12 bytes.
      expectFailure(decode({ value: 'éééééé' }, { maxBytes: 11 }), 'oversized')
      expectFailure(decode({ value: new TextEncoder().encode('éééééé') }, { maxBytes: 11 }), 'oversized')
    })

    it('accepts a value of exactly maxBytes', () => {
      const value = json(userRegisterEvent())
      expect(decode({ value }, { maxBytes: new TextEncoder().encode(value).byteLength }).ok).toBe(true)
    })
  })

  describe('not_json', () => {
    it.each(['{', 'not json', '{"type": "user_register",}', "{'a': 1}"])('rejects %j', (value) => {
      expectFailure(decode({ value }), 'not_json')
    })

    it('rejects bytes that are not valid UTF-8 instead of decoding them lossily', () => {
      const valid = new TextEncoder().encode(json(userRegisterEvent({ correlationid: 'req-@' })))
      const at = valid.indexOf('@'.charCodeAt(0))
      const invalid = Uint8Array.from(valid)
      invalid[at] = 0xff // never valid in UTF-8
      expect(decode({ value: valid }).ok).toBe(true)
      expect(failureOf(decode({ value: invalid })).message).toMatch(/UTF-8/)
      expectFailure(decode({ value: invalid }), 'not_json')
    })
  })

  describe('not_an_event', () => {
    it.each([
      ['null', 'null'],
      ['a number', '42'],
      ['a string', '"user_register"'],
      ['an array', json([userRegisterEvent()])],
      ['an object without type', json({ ...userRegisterEvent(), type: undefined })],
      ['an object without dataversion', json({ ...userRegisterEvent(), dataversion: undefined })],
      ['an empty type', json(userRegisterEvent({ type: '' as 'user_register' }))],
      ['a string dataversion', json({ ...userRegisterEvent(), dataversion: '1' })],
      ['a fractional dataversion', json({ ...userRegisterEvent(), dataversion: 1.5 })],
      ['a zero dataversion', json({ ...userRegisterEvent(), dataversion: 0 })],
    ])('rejects %s', (_, value) => {
      const error = expectFailure(decode({ value }), 'not_an_event')
      expect(error.issues.length).toBeGreaterThan(0)
    })
  })

  describe('unknown_type', () => {
    it('rejects a type missing from the registry', () => {
      const error = expectFailure(
        decode({ value: json(userRegisterEvent({ type: 'user_delete' as 'user_register' })) }),
        'unknown_type',
      )
      expect(error.message).toContain('user_delete')
    })

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
      'does not mistake the inherited property %j for a registered type',
      (type) => {
        expectFailure(decode({ value: `{"type":${json(type)},"dataversion":1}` }), 'unknown_type')
      },
    )
  })

  describe('unsupported_version', () => {
    it('rejects a data version the registry does not list', () => {
      const event = { ...userRegisterEvent(), dataversion: 3 }
      const error = expectFailure(decode({ value: json(event) }), 'unsupported_version')
      expect(error.message).toBe("'user_register' data version 3 is not supported here (accepted: 1, 2)")
    })

    it('rejects a registered version this consumer was told not to accept, the same way', () => {
      const event = userRegisterEventV2()
      const v1Only = { acceptedVersions: { user_register: [1] } }
      const error = expectFailure(decode({ value: json(event) }, v1Only), 'unsupported_version')
      expect(error.message).toBe("'user_register' data version 2 is not supported here (accepted: 1)")
      expect(decode({ value: json(userRegisterEvent()) }, v1Only).ok).toBe(true)
      expect(decode({ value: json(event) })).toEqual({ ok: true, event })
    })
  })

  describe('schema_violation', () => {
    it('reports zod issues located at the offending fields', () => {
      const event = userRegisterEvent({ id: 'not-a-uuid', data: userData({ email: 'nope' }) })
      const error = expectFailure(decode({ value: json(event) }), 'schema_violation')
      expect(error.issues.map((issue) => issue.path)).toEqual(
        expect.arrayContaining([['id'], ['data', 'email']]),
      )
      // z.prettifyError names each path, which makes dead-letter headers readable.
      expect(error.message).toContain('data.email')
    })

    it('rejects a missing data object', () => {
      const { data: _, ...event } = userRegisterEvent()
      const error = expectFailure(decode({ value: json(event) }), 'schema_violation')
      expect(error.issues[0]?.path).toEqual(['data'])
    })

    it('rejects an unsupported specversion', () => {
      const event = { ...userRegisterEvent(), specversion: '0.3' }
      expectFailure(decode({ value: json(event) }), 'schema_violation')
    })
  })
})
