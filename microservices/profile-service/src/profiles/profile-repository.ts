import type { ProfileResponse, UserRegisterEventV1 } from '@kafka-ref/shared-contracts'
import { type Kysely, sql } from 'kysely'
import type { Database, ProfileRow } from '../db/schema.ts'

/** PostgreSQL channel on which a stored profile's user id is announced (delivered on commit). */
export const PROFILE_CREATED_CHANNEL = 'profile_created'

export type ApplyResult = 'created' | 'duplicate'

/**
 * Applies `user_register` events exactly once, many at a time, with the effect of applying them one
 * after the other (one commit instead of one per event is what makes the consumer fast). Each event
 * id is recorded in the same transaction as its profile, so either both exist or neither does: all
 * or nothing. Returns one result per event, in order; an event whose id was already recorded (a
 * redelivery: its offset may then be committed safely), or appears earlier in `events`, is a
 * duplicate. Every profile stored or updated is announced on `PROFILE_CREATED_CHANNEL` (its user
 * id as the event spelled it), in the same transaction.
 *
 * One statement, whatever the number of events: one round trip, and its own transaction (a
 * statement is atomic, its data-modifying parts included). The events go as one array per column
 * (`unnest`), so neither the statement's text nor its parameters grow with the batch.
 */
export async function applyUserRegisteredBatch(
  db: Kysely<Database>,
  events: readonly UserRegisterEventV1[],
): Promise<ApplyResult[]> {
  if (events.length === 0) return []
  const columns = {
    eventIds: events.map((event) => event.id),
    userIds: events.map((event) => event.data.userId),
    usernames: events.map((event) => event.data.username),
    displayNames: events.map((event) => event.data.displayName ?? null),
  }
  const { rows } = await sql<{ recorded: string[] }>`
    with input as (
      select * from unnest(
        ${columns.eventIds}::uuid[], ${columns.userIds}::text[], ${columns.usernames}::text[],
        ${columns.displayNames}::text[]
      ) with ordinality as input(event_id, user_id, username, display_name, position)
    ),
    -- Sorted, so concurrent statements of several instances take row locks in the same order.
    recorded as (
      insert into processed_events (event_id)
      select distinct event_id from input order by event_id
      on conflict (event_id) do nothing
      returning event_id
    ),
    -- Only the first occurrence of a newly recorded id is applied.
    applied as (
      select distinct on (event_id) input.* from input join recorded using (event_id)
      order by event_id, position
    ),
    -- Applied one after the other, several events of one user leave the last one's names (and the
    -- first creation time); one upsert may not touch a row twice, so only the last goes in.
    latest as (
      select distinct on (user_id::uuid) * from applied order by user_id::uuid, position desc
    ),
    -- A different event for the same user (republished with a new id) updates the names but keeps
    -- the original creation time.
    stored as (
      insert into profiles (user_id, username, display_name)
      select user_id::uuid, username, coalesce(display_name, username) from latest order by user_id::uuid
      on conflict (user_id) do update set
        username = excluded.username, display_name = excluded.display_name, updated_at = now()
    )
    -- NOTIFY is transactional: listeners hear it only if, and when, the profiles are committed.
    select
      array(select event_id::text from recorded) as recorded,
      (select count(pg_notify(${PROFILE_CREATED_CHANNEL}, user_id)) from latest) as notified
  `.execute(db)
  const fresh = new Set(rows[0]!.recorded)
  // PostgreSQL answers uuids in lower case; the contract also accepts upper case. The first
  // occurrence of a newly recorded id was applied; any later one is a duplicate.
  return events.map((event): ApplyResult => (fresh.delete(event.id.toLowerCase()) ? 'created' : 'duplicate'))
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
