import fastifyKafka from '@fastify/kafka'
import { ProduceAcks, type Producer } from '@platformatic/kafka'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { OutboxMessage } from '../outbox/outbox-repository.ts'

export interface EventProducer {
  /** Resolves once the broker acknowledged every message (acks=all); rejects otherwise. */
  publish(messages: OutboxMessage[]): Promise<void>
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
function clientOf(app: FastifyInstance): StringProducer {
  const holder = app.kafka.producer as unknown as { _producer?: StringProducer } | undefined
  const client = holder?._producer
  if (!client || typeof client.send !== 'function') {
    throw new Error('@fastify/kafka did not expose its @platformatic/kafka producer (check its version)')
  }
  return client
}

async function producerPlugin(app: FastifyInstance, options: ProducerPluginOptions) {
  await app.register(fastifyKafka, {
    producer: {
      clientId: options.clientId,
      bootstrapBrokers: [...options.bootstrapBrokers],
      // Idempotence lets the client retry a request without duplicating it; it needs acks=all.
      idempotent: true,
      acks: ProduceAcks.ALL,
      // Idempotent producers retry forever by default. A send must fail in bounded time instead,
      // so the relay can back off, report the outage and shut down.
      retries: 3,
      retryDelay: 250,
      timeout: 5000,
      connectTimeout: 3000,
    },
  })
  const producer = clientOf(app)

  app.decorate('eventProducer', {
    async publish(messages) {
      await producer.send({
        messages: messages.map(({ topic, key, value, headers }) => ({ topic, key, value, headers })),
      })
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
