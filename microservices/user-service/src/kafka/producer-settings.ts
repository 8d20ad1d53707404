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
} as const satisfies Partial<ProducerOptions<string, string, string, string>>
