import { z } from 'zod'
import { EnvelopeAttributes, STRUCTURED_CONTENT_TYPE } from '../events/envelope.ts'
import { EventRegistry, type KnownEvent } from '../events/registry.ts'
import { withoutInvalidTraceContext } from '../events/trace-context.ts'
import { EventHeaders, type EventType } from '../names.ts'
import { DecodeError, DecodeErrorReasons } from './decode-error.ts'

/**
 * Kafka's default `message.max.bytes` is 1 MiB; our events are a few hundred bytes, so anything
 * near that size is a bug or an attack and is rejected before parsing.
 */
export const MAX_EVENT_BYTES = 64 * 1024

export interface EncodedMessage {
  key: string
  value: string
  headers: Record<string, string>
}

/** What decode needs from a Kafka message, whatever the client. */
export interface RawMessage {
  value: string | Uint8Array | null | undefined
}

export type DecodeResult = { ok: true; event: KnownEvent } | { ok: false; error: DecodeError }

export interface DecodeOptions {
  maxBytes?: number
  /**
   * The data versions this consumer accepts, per event type (default: every version in
   * `EventRegistry`). Any other is `unsupported_version`, exactly as a build that does not know it
   * would report it: an operator can hold a consumer at the versions it was deployed for.
   */
  acceptedVersions?: Readonly<Partial<Record<EventType, readonly number[]>>>
}

/**
 * Structured mode: the whole CloudEvent is the JSON value, so one self-describing document can be
 * stored, dead-lettered and replayed as it is. The headers only repeat attributes for routing
 * and tracing (`traceparent` is what Kafka tracing instrumentation reads); decode never trusts them.
 */
export function encode(event: KnownEvent): EncodedMessage {
  const headers: Record<string, string> = {
    [EventHeaders.contentType]: STRUCTURED_CONTENT_TYPE,
    [EventHeaders.id]: event.id,
    [EventHeaders.type]: event.type,
    [EventHeaders.dataVersion]: String(event.dataversion),
    [EventHeaders.correlationId]: event.correlationid,
  }
  if (event.traceparent !== undefined) headers[EventHeaders.traceparent] = event.traceparent
  if (event.tracestate !== undefined) headers[EventHeaders.tracestate] = event.tracestate
  return { key: event.subject, value: JSON.stringify(event), headers }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
/** Built once: zod compiles a schema on first use, and decode runs for every message. */
const EventHead = EnvelopeAttributes.pick({ type: true, dataversion: true })
/** The versions of each type in the registry: what a consumer accepts unless told otherwise. */
const registeredVersions = Object.fromEntries(
  Object.entries(EventRegistry).map(([type, versions]) => [type, Object.keys(versions).map(Number)]),
) as Record<EventType, number[]>
const failure = (...args: ConstructorParameters<typeof DecodeError>): DecodeResult => ({
  ok: false,
  error: new DecodeError(...args),
})

export function decode(message: RawMessage, options: DecodeOptions = {}): DecodeResult {
  const maxBytes = options.maxBytes ?? MAX_EVENT_BYTES
  const { value } = message
  if (value === null || value === undefined || value.length === 0) {
    return failure(DecodeErrorReasons.empty, 'message has no value')
  }
  const size = typeof value === 'string' ? new TextEncoder().encode(value).byteLength : value.byteLength
  if (size > maxBytes) {
    return failure(DecodeErrorReasons.oversized, `message is ${size} bytes, limit is ${maxBytes}`)
  }

  let json: unknown
  try {
    json = JSON.parse(typeof value === 'string' ? value : utf8.decode(value))
  } catch (error) {
    return failure(DecodeErrorReasons.notJson, `value is not UTF-8 JSON: ${(error as Error).message}`)
  }

  const head = EventHead.safeParse(json)
  if (!head.success) {
    return failure(
      DecodeErrorReasons.notAnEvent,
      'value has no valid type and dataversion',
      head.error.issues,
    )
  }
  const { type, dataversion } = head.data
  if (!Object.hasOwn(EventRegistry, type)) {
    return failure(DecodeErrorReasons.unknownType, `unknown event type '${type}'`)
  }
  const versions: Record<number, z.ZodType<KnownEvent>> = EventRegistry[type as EventType]
  const accepted = options.acceptedVersions?.[type as EventType] ?? registeredVersions[type as EventType]
  const schema = accepted.includes(dataversion) ? versions[dataversion] : undefined
  if (!schema) {
    return failure(
      DecodeErrorReasons.unsupportedVersion,
      `'${type}' data version ${dataversion} is not supported here (accepted: ${accepted.join(', ')})`,
    )
  }

  // A bad trace context is dropped, not a reason to dead-letter (see withoutInvalidTraceContext).
  const parsed = schema.safeParse(withoutInvalidTraceContext(json))
  if (!parsed.success) {
    return failure(DecodeErrorReasons.schemaViolation, z.prettifyError(parsed.error), parsed.error.issues)
  }
  return { ok: true, event: parsed.data }
}
