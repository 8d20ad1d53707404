import { z } from 'zod'
import { EnvelopeAttributes, STRUCTURED_CONTENT_TYPE } from '../events/envelope.ts'
import { TraceParent, TraceState } from '../events/trace-context.ts'
import { Timestamp } from '../fields.ts'
import { DeadLetterHeaders, DeadLetterReasons, EventHeaders } from '../names.ts'

/**
 * Internal to the package (the AsyncAPI document is built from them, and tests hold `encode` to
 * them): the Kafka headers of each kind of message, as schemas. Header values are strings.
 */

/** The headers `encode` sets on a message of one event type and data version. */
export function eventMessageHeaders(type: string, dataversion: number) {
  return z
    .object({
      [EventHeaders.contentType]: z
        .literal(STRUCTURED_CONTENT_TYPE)
        .meta({ description: 'Structured mode: the value is the whole CloudEvent as JSON.' }),
      [EventHeaders.id]: EnvelopeAttributes.shape.id.meta({ description: 'The event `id`.' }),
      [EventHeaders.type]: z.literal(type).meta({ description: 'The event `type`.' }),
      [EventHeaders.dataVersion]: z
        .literal(String(dataversion))
        .meta({ description: 'The event `dataversion`, as a decimal string.' }),
      [EventHeaders.correlationId]: EnvelopeAttributes.shape.correlationid.meta({
        description: 'The event `correlationid`: the id of the HTTP request that caused it.',
      }),
      [EventHeaders.traceparent]: TraceParent.optional().meta({
        description:
          'The event `traceparent` (W3C Trace Context), for Kafka tracing instrumentation; only when the event has one.',
      }),
      [EventHeaders.tracestate]: TraceState.optional().meta({
        description: 'The event `tracestate`; only when the event has one.',
      }),
    })
    .meta({
      description:
        'Attributes of the value repeated for routers, broker tools and tracing, which do not parse values. Readers never trust them: where a header and the value disagree, the value wins.',
    })
}

const DecimalString = z.string().regex(/^\d+$/)

/** The headers a dead-lettered message gains; it keeps its original headers too. */
export const DeadLetterMessageHeaders = z
  .looseObject({
    [DeadLetterHeaders.reason]: z.enum(Object.values(DeadLetterReasons)).meta({
      description:
        "Why it was dead-lettered: the stable `DecodeError` reason, or `rejected_by_database` (decoded, but refused for good by the consumer's database).",
    }),
    [DeadLetterHeaders.error]: z
      .string()
      .meta({ description: 'The error message, for people (possibly truncated).' }),
    [DeadLetterHeaders.topic]: z.string().min(1).meta({ description: 'The topic it was read from.' }),
    [DeadLetterHeaders.partition]: DecimalString.meta({ description: 'Its partition there.' }),
    [DeadLetterHeaders.offset]: DecimalString.meta({ description: 'Its offset there.' }),
    [DeadLetterHeaders.failedAt]: Timestamp.meta({ description: 'When it was dead-lettered.' }),
    [DeadLetterHeaders.truncated]: z.string().min(1).optional().meta({
      description:
        'Present only when the value (or the original headers) had to be cut to fit the broker: what was cut and why. The original stays in its topic at dlq_original_offset.',
    }),
    [DeadLetterHeaders.originalSize]: DecimalString.optional().meta({
      description: "With dlq_truncated: the original value's size in bytes.",
    }),
    [DeadLetterHeaders.redriveCount]: DecimalString.optional().meta({
      description:
        'Present only when the message had been re-driven before (one of its original headers): how many times. The re-drive command skips it once this reaches its cap.',
    }),
  })
  .meta({
    description:
      'The dead-letter headers, after the original message headers, which are kept as they were (additional properties).',
  })
