import {
  type DecodeError,
  type DecodeErrorReason,
  decode,
  EventHeaders,
  readHeader,
  type UserRegisterEventV1,
} from '@kafka-ref/shared-contracts'
import type { Kysely } from 'kysely'
import type { Message } from 'node-rdkafka'
import type { Database } from '../db/schema.ts'
import type { BatchHandler } from '../kafka/chunk-processor.ts'
import type { DeadLetterProducer } from '../kafka/dead-letter/dead-letter-producer.ts'
import { type ApplyResult, applyUserRegisteredBatch } from '../profiles/profile-repository.ts'

const LEVELS_LOGGING_INFO = new Set(['info', 'debug', 'trace'])

/**
 * Stores the profiles of a partition's `user_register` events in one transaction (idempotently),
 * and dead-letters the messages that can never be decoded. Any throw (database down, dead-letter
 * publish failed) means "none of these is done": the consumer applies them again, one by one.
 */
/** Told what a chunk stored (the metrics count it). */
export interface HandlerObserver {
  stored(results: readonly ApplyResult[]): void
  deadLettered(reason: DecodeErrorReason): void
}

export function userRegisterHandler(deps: {
  db: Kysely<Database>
  deadLetter: DeadLetterProducer
  observer?: HandlerObserver
}): BatchHandler {
  return async (messages, log) => {
    const decoded: Array<{ message: Message; event: UserRegisterEventV1 }> = []
    const undecodable: Array<{ message: Message; error: DecodeError }> = []
    for (const message of messages) {
      const result = decode({ value: message.value })
      if (result.ok) decoded.push({ message, event: result.event })
      else undecodable.push({ message, error: result.error })
    }

    // The database first: while it is down, every retry of the chunk fails here, before publishing
    // its dead letters again. (No offset is committed before both steps succeeded.)
    const results = await applyUserRegisteredBatch(
      deps.db,
      decoded.map(({ event }) => event),
    )
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
      undecodable.map(({ message, error }) => deps.deadLetter.publish(message, error)),
    )
    let failure: unknown
    published.forEach((outcome, i) => {
      const { message, error } = undecodable[i]!
      if (outcome.status === 'rejected') {
        failure ??= outcome.reason
        return
      }
      deps.observer?.deadLettered(error.reason)
      log.warn(
        {
          offset: message.offset,
          // Set by the contracts' encode(): it traces a message that cannot be decoded.
          correlationId: readHeader(message.headers, EventHeaders.correlationId),
          reason: error.reason,
          error: error.message,
        },
        'undecodable message dead-lettered',
      )
    })
    if (failure !== undefined) throw failure
  }
}
