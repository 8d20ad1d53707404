import { checkDatabase, registerHealth, type ZodFastify } from '@kafka-ref/service-kit'
import { fatalErrorCode } from '../kafka/client-errors.ts'
import type { DeadLetterProducerStatus } from '../kafka/dead-letter/dead-letter-producer.ts'

/**
 * What an operator must fix, as stable codes (the error log names the topic and the cause): no
 * dead-letter topic, or dead letters that cannot be published. Either holds a poison message's
 * partition, so they are reported here, though reads go on.
 */
function problems(deadLetter: DeadLetterProducerStatus): string[] {
  return [
    ...(deadLetter.topic === 'missing' ? ['dead-letter-topic-missing'] : []),
    ...(deadLetter.publishFailing ? ['dead-letter-publish-failing'] : []),
  ]
}

/**
 * Ready means "can serve `GET /profile/:id`", which needs only the database: that is what a load
 * balancer routes here. Consuming is the group's business, not this instance's readiness: with
 * more instances than partitions some hold none and still serve reads, and a consumer that is
 * disconnected, still connecting (Kafka unreachable at start), paused or replaced after a fatal
 * error still leaves the reads working. Its state is reported (and in the metrics: state, lag,
 * paused partitions, fatal errors), never a reason to take a reader out of the load balancer.
 * Only states, codes and counts: errors (they name brokers and topics) are logged, never shown here.
 */
export function healthRoutes(
  app: ZodFastify,
  { consumerEnabled, intervalMs }: { consumerEnabled: boolean; intervalMs: number },
) {
  registerHealth(app, {
    intervalMs,
    checks: {
      database: async () => ({ ok: await checkDatabase(app.db) }),
      consumer: async () => {
        const { consumer } = app
        const deadLetter = app.deadLetterProducer.status
        return {
          ok: true,
          enabled: consumerEnabled,
          // Codes and counts only: librdkafka's texts may name brokers.
          ...consumer.status,
          connected: consumer.isConnected,
          partitions: consumer.assignments.map((tp) => tp.partition),
          paused: consumer.pausedPartitions.map((tp) => tp.partition),
          problems: problems(deadLetter),
          // While it is recreated, dead letters wait (uncommitted). The last fatal error's text is
          // logged; here only its code.
          deadLetter: {
            state: deadLetter.state,
            fatalErrors: deadLetter.fatalErrors,
            ...(deadLetter.lastFatalError && {
              lastFatalError: fatalErrorCode(deadLetter.lastFatalError.message),
            }),
            topic: deadLetter.topic,
            publishFailures: deadLetter.publishFailures,
            publishFailing: deadLetter.publishFailing,
          },
        }
      },
    },
  })
}
