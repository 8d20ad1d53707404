import {
  createCounter,
  createHistogram,
  endSpansAfter,
  MessagingAttributes as Messaging,
  type MetricsRegistry,
  type Tracing,
  traceContextFrom,
} from '@kafka-ref/service-kit'
import { EventHeaders } from '@kafka-ref/shared-contracts'
import { propagation, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api'
import { metricDefinitions } from '../metrics/definitions.ts'
import type { OutboxMessage } from '../outbox/outbox-repository.ts'
import type { OutboxPublisher } from '../outbox/publisher.ts'

export interface PublisherTelemetryOptions {
  registry: MetricsRegistry
  tracing: Tracing
  /** Topic → the name spans use for it (the topic without its namespace). */
  destinations: Record<string, string>
}

type Publish = OutboxPublisher['publish']

/**
 * The relay's publisher, timed and counted and, with tracing on, giving each event a `send <topic>`
 * producer span, a child of the trace context stored with its outbox row (the request that
 * registered the user). The span's own context replaces the event's `traceparent` header, as Kafka
 * instrumentations do, so the consumer's span follows the send; the CloudEvent keeps the context
 * it was created in. app.ts wraps the producer in it where it builds the relay.
 */
export function withTelemetry(inner: OutboxPublisher, options: PublisherTelemetryOptions): OutboxPublisher {
  const duration = createHistogram(options.registry, metricDefinitions.batchDuration)
  const retries = createCounter(options.registry, metricDefinitions.publishRetries)
  // The messages of failed calls: the relay resends the very same objects.
  let failed = new WeakSet<OutboxMessage>()

  const timed: Publish = async (messages) => {
    const stop = duration.startTimer()
    const resent = messages.reduce((count, message) => count + (failed.has(message) ? 1 : 0), 0)
    if (resent > 0) retries.inc(resent)
    try {
      await inner.publish(messages)
      stop({ outcome: 'published' })
      failed = new WeakSet()
    } catch (error) {
      stop({ outcome: 'failed' })
      for (const message of messages) failed.add(message)
      throw error
    }
  }
  const publish = options.tracing.enabled ? traced(timed, options.destinations) : timed
  return { publish, interrupt: () => inner.interrupt() }
}

function traced(publish: Publish, destinations: Record<string, string>): Publish {
  const tracer = trace.getTracer('@kafka-ref/user-service')
  return async (messages) => {
    const spans: Span[] = []
    const sent = messages.map((message) => {
      const name = destinations[message.topic] ?? message.topic
      const span = tracer.startSpan(
        `send ${name}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            [Messaging.system]: 'kafka',
            [Messaging.operationType]: 'send',
            [Messaging.operationName]: 'send',
            [Messaging.destinationName]: message.topic,
            [Messaging.destinationTemplate]: name,
            [Messaging.kafkaKey]: message.key,
            [Messaging.bodySize]: Buffer.byteLength(message.value),
            [Messaging.batchCount]: messages.length,
            ...(message.headers[EventHeaders.id] && {
              [Messaging.messageId]: message.headers[EventHeaders.id],
            }),
          },
        },
        traceContextFrom(message.headers),
      )
      spans.push(span)
      const { traceparent: _parent, tracestate: _state, ...headers } = message.headers
      // The W3C propagator writes the span's `traceparent` (and `tracestate`, if any).
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers)
      return { ...message, headers }
    })
    await endSpansAfter(spans, () => publish(sent))
  }
}
