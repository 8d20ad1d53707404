import { ProduceAcks, type ProducerOptions } from '@platformatic/kafka'

/**
 * How the events are produced, beside the client id and brokers: exported so the benchmark's
 * baseline producer uses exactly these settings instead of a copy of them.
 */
export const producerSettings = {
  // Idempotence lets the client retry a request without duplicating it; it needs acks=all.
  idempotent: true,
  acks: ProduceAcks.ALL,
  // Idempotent producers retry forever by default. A send must fail in bounded time instead,
  // so the relay can back off, report the outage and shut down.
  retries: 3,
  retryDelay: 250,
  timeout: 5000,
  connectTimeout: 3000,
  // The client's default, named because it is what a broker that accepts a request and never
  // answers costs a send (a timed-out request is not retried); the relay's stop does not wait it out.
  requestTimeout: 30_000,
} as const satisfies Partial<ProducerOptions<string, string, string, string>>
