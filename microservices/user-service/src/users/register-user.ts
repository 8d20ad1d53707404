import { randomUUID } from 'node:crypto'
import { encode, type RegisterUserRequest, UNDETERMINED_LOCALE } from '@kafka-ref/shared-contracts'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'
import { insertOutboxMessage } from '../outbox/outbox-repository.ts'
import type { PasswordHasher } from './password.ts'
import { type EventDataVersion, registrationEvent } from './registration-event.ts'
import { insertUser, toRegisteredUser, uniqueViolationError } from './user-repository.ts'

export interface RegisterContext {
  /** The request id; it becomes the event's correlation id. */
  correlationId: string
  topic: string
  eventDataVersion: EventDataVersion
  hashPassword: PasswordHasher
  /** Aborts when the client is gone: a registration still waiting to be hashed is dropped. */
  signal?: AbortSignal
  /** W3C trace context of the request, stored with the event (the relay runs outside the request). */
  traceparent?: string
  tracestate?: string
}

/**
 * Stores the user and its registration event in one transaction (the transactional outbox):
 * either both exist or neither, whatever happens to the process or to Kafka afterwards.
 */
export async function registerUser(
  db: Kysely<Database>,
  request: RegisterUserRequest,
  context: RegisterContext,
) {
  const passwordHash = await context.hashPassword(
    request.password,
    context.signal ? { signal: context.signal } : {},
  )
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await insertUser(trx, {
        id: randomUUID(),
        email: request.email,
        username: request.username,
        displayName: request.displayName ?? null,
        locale: request.locale ?? UNDETERMINED_LOCALE,
        passwordHash,
      })
      const event = registrationEvent(row, context.eventDataVersion, {
        correlationId: context.correlationId,
        traceparent: context.traceparent,
        tracestate: context.tracestate,
      })
      await insertOutboxMessage(trx, { topic: context.topic, ...encode(event) })
      return toRegisteredUser(row)
    })
  } catch (error) {
    throw uniqueViolationError(error) ?? error
  }
}
