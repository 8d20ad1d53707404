import rdkafka, { type MessageHeader } from 'node-rdkafka'
import { type ClientOptions, call, DlqError, TIMEOUT_MS } from './kafka-calls.ts'

export interface Republisher {
  /** Resolves once the broker has acknowledged the record (acks=all). */
  send(
    topic: string,
    partition: number,
    record: { key: Buffer | null; value: Buffer | null; headers: MessageHeader[] },
  ): Promise<void>
  close(): Promise<void>
}

/** An idempotent `acks=all` producer: a retried send is written once, in order. */
export async function openRepublisher(
  { brokers, clientId }: ClientOptions,
  maxMessageBytes: number,
): Promise<Republisher> {
  const producer = new rdkafka.Producer(
    {
      'metadata.broker.list': brokers.join(','),
      'client.id': `${clientId}-dlq-redrive`,
      'enable.idempotence': true,
      'message.max.bytes': maxMessageBytes,
      dr_cb: true,
    },
    { 'request.required.acks': -1, 'message.timeout.ms': 30_000 },
  )
  const pending = new Map<number, (error: Error | null) => void>()
  let next = 0
  producer.on('delivery-report', (error, report) => {
    const id = report.opaque as number
    pending.get(id)?.(error ? new DlqError(`republish not acknowledged: ${error.message}`) : null)
    pending.delete(id)
  })
  // Transient broker errors are librdkafka's to retry; a send that never succeeds times out above.
  producer.on('event.error', () => undefined)
  await call<unknown>(`cannot reach Kafka at ${brokers.join(',')}`, (done) =>
    producer.connect({ timeout: TIMEOUT_MS }, done),
  )
  producer.setPollInterval(10)
  return {
    send(topic, partition, { key, value, headers }) {
      const id = next++
      return new Promise<void>((resolve, reject) => {
        pending.set(id, (error) => (error ? reject(error) : resolve()))
        try {
          producer.produce(topic, partition, value, key, Date.now(), id, headers)
        } catch (error) {
          pending.delete(id)
          reject(new DlqError(`cannot republish: ${(error as Error).message}`))
        }
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        producer.flush(TIMEOUT_MS, () => producer.disconnect(() => resolve()))
      }),
  }
}
