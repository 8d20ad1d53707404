import type { ProfileResponse, UserRegisterEventV1 } from '@kafka-ref/shared-contracts'
import { type Kysely, sql } from 'kysely'
import type { Database, ProfileRow } from '../db/schema.ts'

/** PostgreSQL channel on which a stored profile's user id is announced (delivered on commit). */
export const PROFILE_CREATED_CHANNEL = 'profile_created'

export type ApplyResult = 'created' | 'duplicate'

/**
 * Applies a `user_register` event exactly once: the event id and the profile are written in one
 * transaction, so either both exist or neither does. A redelivered event finds its id already
 * recorded and changes nothing; the caller may then commit its offset safely.
 */
export async function applyUserRegistered(
  db: Kysely<Database>,
  event: UserRegisterEventV1,
): Promise<ApplyResult> {
  return db.transaction().execute(async (tx) => {
    const recorded = await tx
      .insertInto('processed_events')
      .values({ event_id: event.id })
      .onConflict((conflict) => conflict.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst()
    if (!recorded) return 'duplicate'

    const { userId, username, displayName } = event.data
    // A different event for the same user (republished with a new id) updates the names but
    // keeps the original creation time.
    await tx
      .insertInto('profiles')
      .values({ user_id: userId, username, display_name: displayName ?? username })
      .onConflict((conflict) =>
        conflict.column('user_id').doUpdateSet((eb) => ({
          username: eb.ref('excluded.username'),
          display_name: eb.ref('excluded.display_name'),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute()
    // NOTIFY is transactional: listeners hear it only if, and when, the profile is committed.
    await sql`select pg_notify(${PROFILE_CREATED_CHANNEL}, ${userId})`.execute(tx)
    return 'created'
  })
}

export async function findProfile(
  db: Kysely<Database>,
  userId: string,
): Promise<ProfileResponse | undefined> {
  const row = await db.selectFrom('profiles').selectAll().where('user_id', '=', userId).executeTakeFirst()
  return row && toResponse(row)
}

function toResponse(row: ProfileRow): ProfileResponse {
  return {
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at.toISOString(),
  }
}
