import {
  createCounter,
  createHistogram,
  endSpansAfter,
  MessagingAttributes as Messaging,
  type MetricsRegistry,
  type TraceContextFields,
  type Tracing,
  traceContextFrom,
} from '@kafka-ref/service-kit'
import { DeadLetterReasons, decode, EventHeaders, readHeader } from '@kafka-ref/shared-contracts'
import { context, type Span, SpanKind, trace } from '@opentelemetry/api'
import type { Message } from 'node-rdkafka'
import type { BatchHandler } from '../kafka/chunk-processor.ts'
import { metricDefinitions as defs } from '../metrics/definitions.ts'
import type { HandlerObserver } from './user-register-handler.ts'

export interface ConsumerTelemetryOptions {
  tracing: Tracing
  groupId: string
  /** The topic without its namespace, for span names. */
  destination: string
}

/**
 * What the consumer reports besides its state: what each chunk stored or dead-lettered, how long
 * the chunk took, how often one failed (and so was retried) and, with tracing on, a
 * `process <topic>` consumer span per message, parented on the context its producer sent.
 */
export function consumerTelemetry(registry: MetricsRegistry, options: ConsumerTelemetryOptions) {
  const events = createCounter(registry, defs.events)
  const deadLetters = createCounter(registry, defs.deadLetters)
  const duration = createHistogram(registry, defs.batchDuration)
  const retries = createCounter(registry, defs.retries)
  // Every label value a series from the start: a rate over a counter that appears late misses its first step.
  for (const outcome of ['applied', 'duplicate']) events.inc({ outcome }, 0)
  for (const reason of Object.values(DeadLetterReasons)) deadLetters.inc({ reason }, 0)

  const observer: HandlerObserver = {
    stored(results) {
      let applied = 0
      for (const result of results) if (result === 'created') applied += 1
      if (applied > 0) events.inc({ outcome: 'applied' }, applied)
      if (results.length > applied) events.inc({ outcome: 'duplicate' }, results.length - applied)
    },
    deadLettered(reason) {
      deadLetters.inc({ reason })
    },
  }

  const timed = (handler: BatchHandler): BatchHandler =>
    async function timedHandler(messages, log) {
      const stop = duration.startTimer()
      try {
        await handler(messages, log)
        stop({ outcome: 'stored' })
      } catch (error) {
        stop({ outcome: 'failed' })
        retries.inc()
        throw error
      }
    }

  return {
    observer,
    wrap: (handler: BatchHandler) =>
      options.tracing.enabled ? traced(timed(handler), options) : timed(handler),
  }
}

/**
 * The context the producer sent: the `traceparent` header (the relay's send span), else the
 * event's own (the CloudEvents tracing extension), for producers that set no headers.
 */
function producerContext(message: Message) {
  const fromHeaders: TraceContextFields = {}
  const traceparent = readHeader(message.headers, EventHeaders.traceparent)
  if (traceparent) {
    fromHeaders.traceparent = traceparent
    const tracestate = readHeader(message.headers, EventHeaders.tracestate)
    if (tracestate) fromHeaders.tracestate = tracestate
    return traceContextFrom(fromHeaders)
  }
  const decoded = decode({ value: message.value })
  if (!decoded.ok) return traceContextFrom({})
  const { traceparent: parent, tracestate: state } = decoded.event
  return traceContextFrom({ ...(parent && { traceparent: parent }), ...(state && { tracestate: state }) })
}

function traced(handler: BatchHandler, options: ConsumerTelemetryOptions): BatchHandler {
  const tracer = trace.getTracer('@kafka-ref/profile-service')
  return async (messages, log) => {
    const spans: Span[] = messages.map((message) => {
      const parent = producerContext(message)
      const producer = trace.getSpanContext(parent)
      return tracer.startSpan(
        `process ${options.destination}`,
        {
          kind: SpanKind.CONSUMER,
          // Also a link, as the messaging conventions ask: backends that draw a consumer trace of
          // its own still lead to the producer.
          links: producer ? [{ context: producer }] : [],
          attributes: {
            [Messaging.system]: 'kafka',
            [Messaging.operationType]: 'process',
            [Messaging.operationName]: 'process',
            [Messaging.destinationName]: message.topic,
            [Messaging.destinationTemplate]: options.destination,
            [Messaging.consumerGroup]: options.groupId,
            [Messaging.partition]: String(message.partition),
            [Messaging.kafkaOffset]: message.offset,
            [Messaging.bodySize]: message.size,
            ...(message.key != null && { [Messaging.kafkaKey]: message.key.toString() }),
            ...(readHeader(message.headers, EventHeaders.id) && {
              [Messaging.messageId]: readHeader(message.headers, EventHeaders.id),
            }),
            ...(messages.length > 1 && { [Messaging.batchCount]: messages.length }),
          },
        },
        parent,
      )
    })
    // The chunk is one transaction: its database spans go under the first message's span.
    await endSpansAfter(spans, () =>
      context.with(trace.setSpan(context.active(), spans[0]!), () => handler(messages, log)),
    )
  }
}
