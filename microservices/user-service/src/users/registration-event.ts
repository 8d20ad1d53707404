import {
  createUserRegisterEvent,
  createUserRegisterEventV2,
  type EventContext,
  type KnownEvent,
} from '@kafka-ref/shared-contracts'
import type { UserRow } from '../db/schema.ts'

/** The `user_register` data versions this service can write. */
export type EventDataVersion = 1 | 2

type RegisteredRow = Pick<UserRow, 'id' | 'email' | 'username' | 'display_name' | 'locale' | 'created_at'>

/**
 * The registration event of a stored user, in the data version the instance is configured to
 * write: v2 once every consumer accepts it; v1 (the same facts without the locale, which v1 has
 * no field for) until then. The user keeps the locale either way.
 */
export function registrationEvent(
  row: RegisteredRow,
  version: EventDataVersion,
  context: EventContext,
): KnownEvent {
  const data = {
    userId: row.id,
    email: row.email,
    username: row.username,
    ...(row.display_name === null ? {} : { displayName: row.display_name }),
    registeredAt: row.created_at.toISOString(),
  }
  if (version === 1) return createUserRegisterEvent(data, context)
  return createUserRegisterEventV2({ ...data, locale: row.locale }, context)
}
