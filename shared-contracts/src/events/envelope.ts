import { z } from 'zod'
import { Text } from '../fields.ts'
import { TraceParent, TraceState } from './trace-context.ts'

/** CloudEvents 1.0 `specversion`. */
export const SPEC_VERSION = '1.0'
export const EVENT_CONTENT_TYPE = 'application/json'
/** Content type of a structured-mode CloudEvent, sent as the Kafka `content-type` header. */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json'

/**
 * The attributes every event carries (CloudEvents 1.0, structured mode). Extension attribute names
 * follow the spec: lowercase letters and digits only.
 */
export const EnvelopeAttributes = z.object({
  specversion: z.literal(SPEC_VERSION),
  id: z.uuid(),
  source: Text.min(1).max(256),
  type: Text.min(1).max(256),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal(EVENT_CONTENT_TYPE),
  /** Version of the `data` schema; a breaking change is a new version, never an edit. */
  dataversion: z.int().positive(),
  /** The request id of the HTTP request that caused the event. */
  correlationid: Text.min(1).max(128),
  /** The entity the event is about; also the Kafka message key. */
  subject: Text.min(1).max(256),
  /**
   * CloudEvents distributed-tracing extension: the trace of the request that caused the event, so
   * one trace can run from the HTTP request through the outbox to the consumer. Optional, and
   * described strictly here; readers drop an invalid one first (`withoutInvalidTraceContext`).
   */
  traceparent: TraceParent.optional(),
  tracestate: TraceState.optional(),
})
export type EnvelopeAttributes = z.infer<typeof EnvelopeAttributes>

/** Builds the envelope schema of one event type and data version. */
export function envelopeOf<const T extends string, const V extends number, D extends z.ZodType>(
  type: T,
  dataversion: V,
  data: D,
) {
  return EnvelopeAttributes.extend({
    type: z.literal(type),
    dataversion: z.literal(dataversion),
    data,
  })
}
