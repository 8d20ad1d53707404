import type { OutboxMessage } from './outbox-repository.ts'

/**
 * What the outbox needs of whatever carries its messages to the broker. The outbox owns this port;
 * the Kafka producer implements it (`src/kafka/producer-plugin.ts`), and `src/app.ts` hands the
 * relay that producer wrapped in its telemetry (`src/kafka/publisher-telemetry.ts`).
 */
export interface OutboxPublisher {
  /**
   * Resolves once the broker acknowledged every message (acks=all); rejects otherwise. After a
   * failure the relay sends the very same messages (the same objects, in the same order) until
   * they are acknowledged, so a copy the broker stored without acknowledging must not be stored
   * twice, and nothing else may be sent in between without that being taken into account.
   */
  publish(messages: OutboxMessage[]): Promise<void>
  /**
   * Fails a publish in flight at once, and every later one: the relay's stop calls it when the
   * broker has not answered within the stop budget. Nothing of the interrupted publish may go on in
   * the background (another instance is about to send those rows).
   */
  interrupt(): Promise<void>
}
