import { decode } from '@kafka-ref/shared-contracts'
import type { Kysely } from 'kysely'
import type { MessageHeader } from 'node-rdkafka'
import type { Database } from '../db/schema.ts'
import type { DeadLetterProducer } from '../dead-letter/dead-letter-producer.ts'
import { applyUserRegistered } from '../profiles/profile-store.ts'
import type { MessageHandler } from './profile-consumer.ts'

/** Set by the contracts' encode(); read here only to trace messages that cannot be decoded. */
const CORRELATION_HEADER = 'correlation_id'

function header(headers: MessageHeader[] | undefined, name: string): string | undefined {
  const value = headers?.find((entry) => Object.hasOwn(entry, name))?.[name]
  return value === undefined ? undefined : value.toString()
}

/**
 * Stores the profile of a `user_register` event (idempotently), or dead-letters a message that can
 * never be decoded. Any throw (database down, dead-letter publish failed) is retried by the consumer.
 */
export function userRegisterHandler(deps: {
  db: Kysely<Database>
  deadLetter: DeadLetterProducer
}): MessageHandler {
  return async (message, log) => {
    const decoded = decode({ value: message.value })
    if (!decoded.ok) {
      const { error } = decoded
      const messageLog = log.child({ correlationId: header(message.headers, CORRELATION_HEADER) })
      await deps.deadLetter.publish(message, error)
      messageLog.warn({ reason: error.reason, error: error.message }, 'undecodable message dead-lettered')
      return
    }
    const { event } = decoded
    const eventLog = log.child({ correlationId: event.correlationid, eventId: event.id })
    const result = await applyUserRegistered(deps.db, event)
    eventLog.info({ userId: event.data.userId, result }, 'event applied')
  }
}
