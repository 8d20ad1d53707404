import { describe, expect, it } from 'vitest'
import { TraceParent, TraceState, withoutInvalidTraceContext } from '../../src/events/trace-context.ts'
import { TRACEPARENT, TRACESTATE } from '../support/events.ts'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT_ID = '00f067aa0ba902b7'

describe('TraceParent (W3C Trace Context, traceparent)', () => {
  it.each([
    ['sampled', TRACEPARENT],
    ['not sampled', `00-${TRACE_ID}-${PARENT_ID}-00`],
    [
      'a future version, longer, with fields this version does not know',
      `cc-${TRACE_ID}-${PARENT_ID}-01-what-the-future-holds`,
    ],
    ['a future version of exactly the version-00 length', `01-${TRACE_ID}-${PARENT_ID}-09`],
  ])('accepts %s', (_, value) => {
    expect(TraceParent.parse(value)).toBe(value)
  })

  it.each([
    ['an empty string', ''],
    ['uppercase hex', `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
    ['an all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['the forbidden version ff', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['version 00 with an extra field', `00-${TRACE_ID}-${PARENT_ID}-01-00`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['a short parent id', `00-${TRACE_ID}-${PARENT_ID.slice(1)}-01`],
    ['one-digit flags', `00-${TRACE_ID}-${PARENT_ID}-1`],
    ['surrounding whitespace', ` ${TRACEPARENT} `],
    ['a future version whose flags run on', `01-${TRACE_ID}-${PARENT_ID}-01x`],
    ['a number', 42],
  ])('rejects %s', (_, value) => {
    expect(TraceParent.safeParse(value).success).toBe(false)
  })
})

describe('TraceState (W3C Trace Context, tracestate)', () => {
  it.each([
    ['one member', 'rojo=00f067aa0ba902b7'],
    ['two members', TRACESTATE],
    ['multi-tenant keys and optional whitespace', 'tenant@system=a b , congo=t61rcWkgMzE'],
    ['empty members between commas', 'rojo=1,,congo=2'],
  ])('accepts %s', (_, value) => {
    expect(TraceState.parse(value)).toBe(value)
  })

  it.each([
    ['an empty string', ''],
    ['only whitespace and commas', ' , '],
    ['a member without =', 'rojo'],
    ['an uppercase key', 'Rojo=1'],
    ['a value with a non-ASCII character', 'rojo=é'],
    ['a value with a newline', 'rojo=a\nb'],
    ['more than 32 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['more than 512 characters', `rojo=${'a'.repeat(250)},congo=${'b'.repeat(250)},x=${'c'.repeat(10)}`],
  ])('rejects %s', (_, value) => {
    expect(TraceState.safeParse(value).success).toBe(false)
  })

  it('rejects a huge value by its length, before any pattern runs on it', () => {
    // 60 000 spaces would make a backtracking pattern crawl; the length check stops it first.
    expect(TraceState.safeParse(`a=${' '.repeat(60_000)}!`).error?.issues).toHaveLength(1)
  })
})

describe('withoutInvalidTraceContext', () => {
  const event = { id: 'x', traceparent: TRACEPARENT, tracestate: TRACESTATE }

  it('returns an event with a valid trace context, or none, unchanged', () => {
    expect(withoutInvalidTraceContext(event)).toBe(event)
    const untraced = { id: 'x' }
    expect(withoutInvalidTraceContext(untraced)).toBe(untraced)
    const parentOnly = { id: 'x', traceparent: TRACEPARENT }
    expect(withoutInvalidTraceContext(parentOnly)).toBe(parentOnly)
  })

  it('drops an invalid traceparent and with it the tracestate, which W3C says not to read then', () => {
    const bad = { ...event, traceparent: `00-${'0'.repeat(32)}-${PARENT_ID}-01` }
    expect(withoutInvalidTraceContext(bad)).toStrictEqual({ id: 'x' })
  })

  it('drops only an invalid tracestate: a bad tracestate never costs the traceparent', () => {
    expect(withoutInvalidTraceContext({ ...event, tracestate: 'Not Valid' })).toStrictEqual({
      id: 'x',
      traceparent: TRACEPARENT,
    })
  })

  it('drops a tracestate without a traceparent (the extension requires traceparent)', () => {
    expect(withoutInvalidTraceContext({ id: 'x', tracestate: TRACESTATE })).toStrictEqual({ id: 'x' })
  })

  it('does not modify its argument', () => {
    const bad = { ...event, traceparent: 'garbage' }
    withoutInvalidTraceContext(bad)
    expect(bad.traceparent).toBe('garbage')
  })

  it.each([null, 42, 'text', [TRACEPARENT]])('passes %j through: the schema reports non-objects', (value) => {
    expect(withoutInvalidTraceContext(value)).toBe(value)
  })
})
