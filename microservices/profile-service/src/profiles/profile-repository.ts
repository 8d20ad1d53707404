import type { LatestUserRegisterEvent, ProfileResponse } from '@kafka-ref/shared-contracts'
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
 * statement is atomic, its data-modifying parts included). The events go as one JSON parameter
 * (JSON.stringify is native; node-postgres would escape every element of an array parameter in
 * JavaScript), and only the ids seen before come back, usually none.
 */
export async function applyUserRegisteredBatch(
  db: Kysely<Database>,
  events: readonly LatestUserRegisterEvent[],
): Promise<ApplyResult[]> {
  if (events.length === 0) return []
  const input = JSON.stringify(
    events.map(({ id, data }) => ({
      e: id,
      u: data.userId,
      n: data.username,
      d: data.displayName ?? null,
      l: data.locale,
    })),
  )
  const { rows } = await sql<{ seen: string[] }>`
    with input as (
      select * from rows from (
        json_to_recordset(${input}::json) as (e uuid, u text, n text, d text, l text)
      ) with ordinality as input(event_id, user_id, username, display_name, locale, position)
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
    -- A different event for the same user (republished with a new id) updates the names and the
    -- locale but keeps the original creation time.
    stored as (
      insert into profiles (user_id, username, display_name, locale)
      select user_id::uuid, username, coalesce(display_name, username), locale from latest order by user_id::uuid
      on conflict (user_id) do update set
        username = excluded.username, display_name = excluded.display_name, locale = excluded.locale,
        updated_at = now()
    )
    -- NOTIFY is transactional: listeners hear it only if, and when, the profiles are committed.
    select
      array(select event_id::text from input except select event_id::text from recorded) as seen,
      (select count(pg_notify(${PROFILE_CREATED_CHANNEL}, user_id)) from latest) as notified
  `.execute(db)
  // PostgreSQL answers uuids in lower case; the contract also accepts upper case. The first
  // occurrence of an id not recorded before was applied; any other is a duplicate.
  const seen = new Set(rows[0]!.seen)
  return events.map((event): ApplyResult => {
    const id = event.id.toLowerCase()
    if (seen.has(id)) return 'duplicate'
    seen.add(id)
    return 'created'
  })
}

/** Rows per delete statement: short transactions, so no consumer insert waits long behind one. */
const DELETE_BATCH_SIZE = 5000

/**
 * Deletes the ids of events processed more than `retentionMs` ago, in batches, and returns how
 * many. Ages are measured by the database's clock, which stamped them. Rows another instance is
 * deleting at the same moment are skipped, not waited for.
 */
export async function deleteExpiredProcessedEvents(
  db: Kysely<Database>,
  retentionMs: number,
  { batchSize = DELETE_BATCH_SIZE } = {},
): Promise<number> {
  let total = 0
  for (;;) {
    const result = await db
      .deleteFrom('processed_events')
      .where('event_id', 'in', (eb) =>
        eb
          .selectFrom('processed_events')
          .select('event_id')
          .where('processed_at', '<', sql<Date>`now() - make_interval(secs => ${retentionMs / 1000})`)
          .limit(batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .executeTakeFirst()
    const deleted = Number(result.numDeletedRows)
    total += deleted
    if (deleted < batchSize) return total
  }
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
    locale: row.locale,
    createdAt: row.created_at.toISOString(),
  }
}
