import {
  type DeadLetterReason,
  type DecodeOptions,
  decode,
  EventHeaders,
  type LatestUserRegisterEvent,
  readHeader,
  upcastUserRegister,
} from '@kafka-ref/shared-contracts'
import type { Kysely } from 'kysely'
import type { Message } from 'node-rdkafka'
import type { Database } from '../db/schema.ts'
import type { BatchHandler } from '../kafka/chunk-processor.ts'
import type { DeadLetterCause } from '../kafka/dead-letter/dead-letter-message.ts'
import type { DeadLetterProducer } from '../kafka/dead-letter/dead-letter-producer.ts'
import { type ApplyResult, applyUserRegisteredBatch } from '../profiles/profile-repository.ts'
import { databaseRejection } from './database-rejection.ts'

const LEVELS_LOGGING_INFO = new Set(['info', 'debug', 'trace'])

/** Told what a chunk stored (the metrics count it). */
export interface HandlerObserver {
  stored(results: readonly ApplyResult[]): void
  deadLettered(reason: DeadLetterReason): void
}

type Decoded = { message: Message; event: LatestUserRegisterEvent }

/**
 * Stores the profiles of a partition's `user_register` events in one transaction (idempotently),
 * and dead-letters the messages that can never be decoded, and an event the database refuses for
 * good (see database-rejection.ts) once it is alone in its statement: the consumer applies a
 * failed chunk again one message at a time, so the others are stored and it alone goes. Any other
 * throw (database down, dead-letter publish failed) means "none of these is done": the consumer
 * applies them again, one by one, and retries the one that fails.
 */
export function userRegisterHandler(deps: {
  db: Kysely<Database>
  deadLetter: DeadLetterProducer
  observer?: HandlerObserver
  /** The data versions accepted (CONSUMER_ACCEPTED_DATA_VERSIONS); default: all this build knows. */
  acceptedVersions?: DecodeOptions['acceptedVersions']
}): BatchHandler {
  const options: DecodeOptions = deps.acceptedVersions ? { acceptedVersions: deps.acceptedVersions } : {}
  return async (messages, log) => {
    let decoded: Decoded[] = []
    const rejected: Array<{ message: Message; cause: DeadLetterCause }> = []
    for (const message of messages) {
      const result = decode({ value: message.value }, options)
      // Every version as the newest: one code path for all the producers still in the topic.
      if (result.ok) decoded.push({ message, event: upcastUserRegister(result.event) })
      else rejected.push({ message, cause: result.error })
    }

    // The database first: while it is down, every retry of the chunk fails here, before publishing
    // its dead letters again. (No offset is committed before both steps succeeded.)
    let results: ApplyResult[]
    try {
      results = await applyUserRegisteredBatch(
        deps.db,
        decoded.map(({ event }) => event),
      )
    } catch (error) {
      // Only alone in its statement is an event known to be the one refused.
      const cause = decoded.length === 1 ? databaseRejection(error) : undefined
      if (!cause) throw error
      rejected.push({ message: decoded[0]!.message, cause })
      decoded = []
      results = []
    }
    deps.observer?.stored(results)
    // Not even the fields of each line are gathered when they would not be written.
    if (LEVELS_LOGGING_INFO.has(log.level))
      decoded.forEach(({ message, event }, i) => {
        log.info(
          {
            offset: message.offset,
            correlationId: event.correlationid,
            eventId: event.id,
            userId: event.data.userId,
            result: results[i],
          },
          'event applied',
        )
      })

    // Published together (one linger, acknowledgements awaited); every publish settles before a
    // failure is reported, so none is left running when the chunk is applied again.
    const published = await Promise.allSettled(
      rejected.map(({ message, cause }) => deps.deadLetter.publish(message, cause)),
    )
    let failure: unknown
    published.forEach((outcome, i) => {
      const { message, cause } = rejected[i]!
      if (outcome.status === 'rejected') {
        failure ??= outcome.reason
        return
      }
      deps.observer?.deadLettered(cause.reason)
      log.warn(
        {
          offset: message.offset,
          // Set by the contracts' encode(): it traces a message that cannot be decoded.
          correlationId: readHeader(message.headers, EventHeaders.correlationId),
          reason: cause.reason,
          error: cause.message,
        },
        'message dead-lettered',
      )
    })
    if (failure !== undefined) throw failure
  }
}
