import fastifyKafka from '@fastify/kafka'
import type { Producer } from '@platformatic/kafka'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { OutboxMessage } from '../outbox/outbox-repository.ts'
import type { OutboxPublisher } from '../outbox/publisher.ts'
import { producerSettings } from './producer-settings.ts'

/** The Kafka producer: the outbox's publisher, and whether it is connected (for readiness and metrics). */
export interface EventProducer extends OutboxPublisher {
  isConnected(): boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    eventProducer: EventProducer
  }
}

export interface ProducerPluginOptions {
  clientId: string
  bootstrapBrokers: readonly string[]
  /** Topics to fetch metadata for at start, so readiness shows a connection early. */
  warmUpTopics: string[]
}

type StringProducer = Producer<string, string, string, string>

/**
 * @fastify/kafka creates, configures and closes the producer (a @platformatic/kafka client with
 * string serializers). Its `push()` sends one message per request and drops headers, while the
 * relay publishes batches that carry the event headers, so we send through the client it holds.
 * Its typings name that client `producer.producer`, but at run time it is `producer._producer`
 * (@fastify/kafka 4.0.0); the check below fails loudly if that ever changes.
 */
export function clientOf(app: FastifyInstance): StringProducer {
  const holder = app.kafka.producer as unknown as { _producer?: StringProducer } | undefined
  const client = holder?._producer
  if (!client || typeof client.send !== 'function') {
    throw new Error('@fastify/kafka did not expose its @platformatic/kafka producer (check its version)')
  }
  return client
}

function sameMessages(a: readonly OutboxMessage[], b: readonly OutboxMessage[]): boolean {
  return (
    a.length === b.length &&
    a.every((message, i) => {
      const other = b[i]!
      return message.topic === other.topic && message.key === other.key && message.value === other.value
    })
  )
}

async function producerPlugin(app: FastifyInstance, options: ProducerPluginOptions) {
  await app.register(fastifyKafka, {
    producer: {
      clientId: options.clientId,
      bootstrapBrokers: [...options.bootstrapBrokers],
      ...producerSettings,
    },
  })
  const producer = clientOf(app)

  // The messages of the latest failed send: the broker may have stored them without answering.
  let unacknowledged: OutboxMessage[] | undefined
  app.decorate('eventProducer', {
    async publish(messages) {
      // A failed send leaves the client's sequence numbers where they were. Resending the same
      // messages reuses them, so the broker drops a copy it already has. Anything else sent first
      // would reuse them too, and be taken for that copy (dropped, yet acknowledged) or refused
      // as out of order; so anything else first gets a new producer id and fresh sequences.
      if (unacknowledged && !sameMessages(unacknowledged, messages)) {
        await producer.initIdempotentProducer({})
        unacknowledged = undefined
      }
      try {
        await producer.send({
          messages: messages.map(({ topic, key, value, headers }) => ({ topic, key, value, headers })),
        })
        unacknowledged = undefined
      } catch (error) {
        unacknowledged = messages
        throw error
      }
    },
    // Closing it with force fails what is in flight and ends its retries, so nothing of it goes on
    // in the background. @fastify/kafka's own close afterwards finds it closed.
    interrupt: async () => {
      await producer.close(true)
    },
    isConnected: () => producer.isConnected(),
  } satisfies EventProducer)

  // The client connects lazily; warming up in the background keeps a broker that is down at
  // start from blocking (or failing) the start-up.
  app.addHook('onReady', async () => {
    producer.metadata({ topics: options.warmUpTopics }).catch((err: Error) => {
      app.log.warn({ err: { message: err.message } }, 'Kafka is not reachable yet; events wait in the outbox')
    })
  })
  // @fastify/kafka closes the producer in its own onClose hook.
}

export default fp(producerPlugin, { name: 'event-producer' })
