import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  EnvelopeAttributes,
  EVENT_CONTENT_TYPE,
  envelopeOf,
  SPEC_VERSION,
  STRUCTURED_CONTENT_TYPE,
} from '../../src/events/envelope.ts'
import { TRACEPARENT, TRACESTATE, userRegisterEvent } from '../support/events.ts'

const { data: _, ...attributes } = userRegisterEvent()

describe('envelope constants', () => {
  it('are CloudEvents 1.0 structured mode with JSON data', () => {
    expect(SPEC_VERSION).toBe('1.0')
    expect(EVENT_CONTENT_TYPE).toBe('application/json')
    expect(STRUCTURED_CONTENT_TYPE).toBe('application/cloudevents+json')
  })
})

describe('EnvelopeAttributes', () => {
  it('accepts the attributes of a valid event', () => {
    expect(EnvelopeAttributes.parse(attributes)).toEqual(attributes)
  })

  it.each([
    'specversion',
    'id',
    'source',
    'type',
    'time',
    'datacontenttype',
    'dataversion',
    'correlationid',
    'subject',
  ])('requires %s', (name) => {
    const result = EnvelopeAttributes.safeParse({ ...attributes, [name]: undefined })
    expect(result.error?.issues[0]?.path).toEqual([name])
  })

  it('accepts the distributed-tracing extension, and does not require it', () => {
    const traced = { ...attributes, traceparent: TRACEPARENT, tracestate: TRACESTATE }
    expect(EnvelopeAttributes.parse(traced)).toEqual(traced)
    expect(EnvelopeAttributes.parse(attributes)).not.toHaveProperty('traceparent')
  })

  it.each([
    ['traceparent', 'not-a-traceparent'],
    ['tracestate', 'Not Valid'],
  ])('describes %s strictly (decode drops an invalid one before validating)', (name, value) => {
    const result = EnvelopeAttributes.safeParse({ ...attributes, traceparent: TRACEPARENT, [name]: value })
    expect(result.error?.issues[0]?.path).toEqual([name])
  })

  it('names every attribute as the spec requires: lowercase letters and digits only', () => {
    for (const name of Object.keys(EnvelopeAttributes.shape)) expect(name).toMatch(/^[a-z0-9]{1,20}$/)
  })

  it.each([
    ['specversion', '0.3'],
    ['id', 'not-a-uuid'],
    ['source', ''],
    ['time', '2025-01-15 10:30'],
    ['datacontenttype', 'text/plain'],
    ['dataversion', 0],
    ['dataversion', 1.5],
    ['correlationid', 'x'.repeat(129)],
    ['subject', ''],
  ])('rejects %s = %j', (name, value) => {
    expect(EnvelopeAttributes.safeParse({ ...attributes, [name]: value }).success).toBe(false)
  })
})

describe('envelopeOf', () => {
  const Thing = envelopeOf('thing_happen', 3, z.object({ n: z.number() }))
  const thing = { ...attributes, type: 'thing_happen', dataversion: 3, data: { n: 1 } }

  it('pins the type and data version and adds the data schema', () => {
    expect(Thing.parse(thing)).toEqual(thing)
    expect(Thing.safeParse({ ...thing, type: 'other' }).success).toBe(false)
    expect(Thing.safeParse({ ...thing, dataversion: 2 }).success).toBe(false)
    expect(Thing.safeParse({ ...thing, data: { n: 'one' } }).error?.issues[0]?.path).toEqual(['data', 'n'])
  })

  it('keeps the common attribute rules', () => {
    expect(Thing.safeParse({ ...thing, id: 'x' }).success).toBe(false)
  })
})
