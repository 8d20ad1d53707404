import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
} from '@opentelemetry/api'

/** W3C trace context as carried by an event (the CloudEvents tracing extension) and its headers. */
export interface TraceContextFields {
  traceparent?: string
  tracestate?: string
}

/**
 * The active trace context as W3C fields, e.g. to store with an outbox row (the relay runs outside
 * the request's context). Empty when tracing is off: the API's propagator is then a no-op.
 */
export function currentTraceContext(): TraceContextFields {
  const carrier: TraceContextFields = {}
  propagation.inject(context.active(), carrier)
  return carrier
}

/** The context a W3C `traceparent` (and `tracestate`) describes; the root context if invalid. */
export function traceContextFrom(fields: TraceContextFields): Context {
  return fields.traceparent ? propagation.extract(ROOT_CONTEXT, fields) : ROOT_CONTEXT
}

/**
 * OpenTelemetry's messaging semantic conventions (attribute names still "development" there, so
 * copied rather than taken from the incubating entry point, as that package advises).
 */
export const MessagingAttributes = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destinationName: 'messaging.destination.name',
  destinationTemplate: 'messaging.destination.template',
  partition: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  bodySize: 'messaging.message.body.size',
  batchCount: 'messaging.batch.message_count',
  kafkaOffset: 'messaging.kafka.offset',
  kafkaKey: 'messaging.kafka.message.key',
  clientId: 'messaging.client.id',
} as const

/**
 * Runs `work` for a batch and ends every span of it: marked failed first if `work` throws (the
 * error is rethrown), since a batch succeeds or fails as a whole.
 */
export async function endSpansAfter<T>(spans: readonly Span[], work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    for (const span of spans)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
    throw error
  } finally {
    for (const span of spans) span.end()
  }
}
