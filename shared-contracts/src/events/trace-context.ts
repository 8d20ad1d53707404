import { z } from 'zod'

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), as carried by the CloudEvents
 * distributed-tracing extension (`traceparent`, `tracestate`) and by the Kafka headers of the
 * same names.
 *
 * Version 00 is exactly `00-<trace-id: 32 hex>-<parent-id: 16 hex>-<flags: 2 hex>`, lowercase.
 * A higher version (not `ff`, which is forbidden) starts the same way and may append fields after
 * a dash: W3C asks readers to accept that prefix rather than drop a newer producer's traces.
 * No lookahead, so validators in other languages (RE2 and the like) can run the same pattern.
 */
const TRACEPARENT_PATTERN =
  /^(?:00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}|(?:0[1-9a-f]|[1-9a-e][0-9a-f]|f[0-9a-e])-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(?:-[\x21-\x7e]*)?)$/
const ALL_ZERO = /^0+$/

export const TraceParent = z
  .string()
  .max(512, { abort: true })
  .regex(TRACEPARENT_PATTERN, 'must be a W3C traceparent: 00-<32 hex>-<16 hex>-<2 hex>, lowercase')
  .refine((value) => {
    const [, traceId = '', parentId = ''] = value.split('-')
    return !ALL_ZERO.test(traceId) && !ALL_ZERO.test(parentId)
  }, 'trace id and parent id must not be all zeros')
  .meta({
    description:
      'W3C Trace Context traceparent of the request that caused the event (CloudEvents distributed-tracing extension). Trace id and parent id are never all zeros. A reader treats an invalid value as absent, together with the tracestate.',
    examples: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
  })

/** W3C `tracestate` list members: `key=value`, lowercase keys (`tenant@system` allowed), opaque values. */
const TRACESTATE_MEMBER =
  '[a-z0-9][_0-9a-z*/@-]{0,255}=[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]'
/** Each comma-separated element is optional whitespace with at most one member: written so it cannot backtrack. */
const TRACESTATE_PATTERN = new RegExp(
  `^[ \\t]*(?:${TRACESTATE_MEMBER}[ \\t]*)?(?:,[ \\t]*(?:${TRACESTATE_MEMBER}[ \\t]*)?)*$`,
)
/** W3C: vendors should propagate at least 512 characters; we document that as our limit. */
const TRACESTATE_MAX_LENGTH = 512
const TRACESTATE_MAX_MEMBERS = 32

export const TraceState = z
  .string()
  .max(TRACESTATE_MAX_LENGTH, { abort: true })
  .regex(TRACESTATE_PATTERN, 'must be a W3C tracestate: comma-separated key=value members')
  .refine((value) => value.split(',').some((member) => member.trim() !== ''), 'must have a member')
  .refine(
    (value) => value.split(',').filter((member) => member.trim() !== '').length <= TRACESTATE_MAX_MEMBERS,
    `must have at most ${TRACESTATE_MAX_MEMBERS} members`,
  )
  .meta({
    description: `W3C Trace Context tracestate (vendor-specific trace data), at most ${TRACESTATE_MAX_LENGTH} characters and ${TRACESTATE_MAX_MEMBERS} members. Only meaningful with a traceparent. A reader treats an invalid value as absent.`,
    examples: ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
  })

/**
 * The event without an unusable trace context, the way W3C Trace Context tells a receiver to treat
 * a bad `traceparent` header: as absent (the trace restarts), never as a failed request.
 *
 * - an invalid `traceparent` is dropped, and its `tracestate` with it (W3C: a reader that failed to
 *   parse `traceparent` must not read `tracestate`);
 * - an invalid `tracestate` is dropped alone (it must not cost the `traceparent`);
 * - a `tracestate` without a `traceparent` is dropped (the extension requires `traceparent`).
 *
 * Tracing is diagnostic: a broken trace id must not dead-letter a registration, and before these
 * attributes were defined any `traceparent` was accepted (as an unknown field), so rejecting one
 * now would break v1 readers' promise. Returns the argument itself when nothing is dropped, and
 * non-objects as they are (the schema reports them). Pure: the argument is not modified.
 */
export function withoutInvalidTraceContext<T>(event: T): T {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event
  const attributes = event as Record<string, unknown>
  const hasParent = Object.hasOwn(attributes, 'traceparent')
  const hasState = Object.hasOwn(attributes, 'tracestate')
  const parentValid = hasParent && TraceParent.safeParse(attributes.traceparent).success
  const keepParent = !hasParent || parentValid
  const keepState = !hasState || (parentValid && TraceState.safeParse(attributes.tracestate).success)
  if (keepParent && keepState) return event
  const { traceparent, tracestate, ...rest } = attributes
  return {
    ...rest,
    ...(keepParent && hasParent ? { traceparent } : {}),
    ...(keepState && hasState ? { tracestate } : {}),
  } as T
}
