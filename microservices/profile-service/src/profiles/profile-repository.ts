import type { ProfileResponse, UserRegisterEventV1 } from '@kafka-ref/shared-contracts'
import { type Kysely, sql } from 'kysely'
import type { Database, ProfileRow } from '../db/schema.ts'

/** PostgreSQL channel on which a stored profile's user id is announced (delivered on commit). */
export const PROFILE_CREATED_CHANNEL = 'profile_created'

export type ApplyResult = 'created' | 'duplicate'

/**
 * Applies `user_register` events exactly once, many in ONE transaction, with the effect of applying
 * them one after the other (one commit instead of one per event is what makes the consumer fast).
 * Each event id is recorded in the same transaction as its profile, so either both exist or neither
 * does: all or nothing. Returns one result per event, in order; an event whose id was already
 * recorded (a redelivery: its offset may then be committed safely), or appears earlier in
 * `events`, is a duplicate.
 */
export async function applyUserRegisteredBatch(
  db: Kysely<Database>,
  events: readonly UserRegisterEventV1[],
): Promise<ApplyResult[]> {
  if (events.length === 0) return []
  return db.transaction().execute(async (tx) => {
    // PostgreSQL answers uuids in lower case; the contract also accepts upper case.
    // Sorted, so concurrent transactions of several instances take row locks in the same order.
    const ids = [...new Set(events.map((event) => event.id.toLowerCase()))].sort()
    const recorded = await tx
      .insertInto('processed_events')
      .values(ids.map((id) => ({ event_id: id })))
      .onConflict((conflict) => conflict.column('event_id').doNothing())
      .returning('event_id')
      .execute()
    const fresh = new Set(recorded.map((row) => row.event_id.toLowerCase()))
    // The first occurrence of a newly recorded id is applied; any later one is a duplicate.
    const results = events.map(
      (event): ApplyResult => (fresh.delete(event.id.toLowerCase()) ? 'created' : 'duplicate'),
    )

    // Applied one after the other, several events of one user leave the last one's names (and the
    // first creation time): keep only the last, as one upsert may not touch a row twice.
    const latest = new Map<string, UserRegisterEventV1['data']>()
    events.forEach((event, i) => {
      if (results[i] === 'created') latest.set(event.data.userId.toLowerCase(), event.data)
    })
    if (latest.size === 0) return results
    const users = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, data]) => data)
    // A different event for the same user (republished with a new id) updates the names but
    // keeps the original creation time.
    await tx
      .insertInto('profiles')
      .values(
        users.map(({ userId, username, displayName }) => ({
          user_id: userId,
          username,
          display_name: displayName ?? username,
        })),
      )
      .onConflict((conflict) =>
        conflict.column('user_id').doUpdateSet((eb) => ({
          username: eb.ref('excluded.username'),
          display_name: eb.ref('excluded.display_name'),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute()
    // NOTIFY is transactional: listeners hear it only if, and when, the profiles are committed.
    // One statement for all of them; the payload is the user id as the event spelled it.
    const userIds = users.map((data) => data.userId)
    await sql`select pg_notify(${PROFILE_CREATED_CHANNEL}, user_id) from unnest(${userIds}::text[]) as user_id`.execute(
      tx,
    )
    return results
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
