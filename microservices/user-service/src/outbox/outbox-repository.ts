import type { EncodedMessage } from '@kafka-ref/shared-contracts'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database, OutboxRow } from '../db/schema.ts'

export type OutboxMessage = EncodedMessage & { topic: string }
export type PendingMessage = Pick<OutboxRow, 'id' | 'topic' | 'key' | 'value' | 'headers'>

export async function insertOutboxMessage(trx: Transaction<Database>, message: OutboxMessage): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({
      topic: message.topic,
      key: message.key,
      value: message.value,
      headers: JSON.stringify(message.headers),
    })
    .execute()
}

export type ClaimedMessage = PendingMessage & Pick<OutboxRow, 'attempts'>

export interface Claim {
  /** Names this claim; only it can renew, mark or release the rows. */
  owner: string
  limit: number
  leaseMs: number
}

/**
 * Leases the oldest free unpublished rows to `owner` for `leaseMs`, in one statement (so no
 * transaction outlives it). A row is free when its lease (or its back-off after failures) has
 * ended and no earlier row of its key is still leased or backing off: rows waiting behind such a
 * row are passed over before the LIMIT, so a key that is stuck cannot crowd the others out.
 * SKIP LOCKED lets instances claim side by side; the second NOT EXISTS then keeps per-key order
 * against rows that a concurrent claim holds: a row is taken only if no earlier unpublished row
 * of its key is left out of this claim, so a later event of a key never overtakes an earlier one.
 * Returned in id order.
 */
export async function claimBatch(db: Kysely<Database>, claim: Claim): Promise<ClaimedMessage[]> {
  const { rows } = await sql<ClaimedMessage>`
    with candidates as (
      select id, key from outbox o
      where published_at is null and (locked_until is null or locked_until <= now())
        and not exists (
          select 1 from outbox held
          where held.key = o.key
            and held.published_at is null
            and held.id < o.id
            and held.locked_until > now()
        )
      order by id
      limit ${claim.limit}
      for update skip locked
    ),
    claimable as (
      select c.id from candidates c
      where not exists (
        select 1 from outbox earlier
        where earlier.key = c.key
          and earlier.published_at is null
          and earlier.id < c.id
          and earlier.id not in (select id from candidates)
      )
    ),
    claimed as (
      update outbox o
      set lease_owner = ${claim.owner}, locked_until = now() + make_interval(secs => ${claim.leaseMs / 1000})
      from claimable
      where o.id = claimable.id
      returning o.id, o.topic, o.key, o.value, o.headers, o.attempts
    )
    select * from claimed order by id
  `.execute(db)
  return rows
}

/** Extends the lease of the rows `owner` still holds; returns how many it still holds. */
export async function renewLease(
  db: Kysely<Database>,
  owner: string,
  ids: readonly string[],
  leaseMs: number,
): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ locked_until: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
    .where(sql<boolean>`id = any(${[...ids]}::bigint[])`)
    .where('lease_owner', '=', owner)
    .where('published_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Marks published the rows `owner` still holds, in one statement; returns how many. A row whose
 * lease another instance took over is left to that instance (it will send it again).
 */
export async function markPublished(
  db: Kysely<Database>,
  owner: string,
  ids: readonly string[],
): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ published_at: sql`now()` })
    .where(sql<boolean>`id = any(${[...ids]}::bigint[])`)
    .where('lease_owner', '=', owner)
    .where('published_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export interface Release {
  /** After a failure: count an attempt, keep the error and let nobody take the rows for this long. */
  failure?: { error: string; retryInMs: number }
}

/** Gives up `owner`'s lease on rows it still holds: at once, or after a back-off with a failure. */
export async function releaseRows(
  db: Kysely<Database>,
  owner: string,
  ids: readonly string[],
  { failure }: Release = {},
): Promise<number> {
  if (ids.length === 0) return 0
  const result = await db
    .updateTable('outbox')
    .set(
      failure
        ? {
            lease_owner: null,
            locked_until: sql`now() + make_interval(secs => ${failure.retryInMs / 1000})`,
            attempts: sql`attempts + 1`,
            last_error: failure.error,
          }
        : { lease_owner: null, locked_until: null },
    )
    .where(sql<boolean>`id = any(${[...ids]}::bigint[])`)
    .where('lease_owner', '=', owner)
    .where('published_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Deletes published rows older than the retention, in chunks so no statement runs for long. */
export async function deletePublishedBefore(
  db: Kysely<Database>,
  cutoff: Date,
  chunk = 5000,
): Promise<number> {
  let total = 0
  for (;;) {
    const result = await db
      .deleteFrom('outbox')
      .where(
        'id',
        'in',
        db
          .selectFrom('outbox')
          .select('id')
          .where('published_at', 'is not', null)
          .where('published_at', '<', cutoff)
          .limit(chunk),
      )
      .executeTakeFirst()
    const deleted = Number(result.numDeletedRows)
    total += deleted
    if (deleted < chunk) return total
  }
}

export interface OutboxBacklog {
  backlog: number
  /** Age of the oldest unpublished row; null when the backlog is empty. */
  oldestAgeMs: number | null
}

export async function outboxBacklog(db: Kysely<Database>): Promise<OutboxBacklog> {
  const row = await db
    .selectFrom('outbox')
    .select([
      sql<string>`count(*)`.as('count'),
      sql<string | null>`floor(extract(epoch from now() - min(created_at)) * 1000)`.as('age'),
    ])
    .where('published_at', 'is', null)
    .executeTakeFirstOrThrow()
  return { backlog: Number(row.count), oldestAgeMs: row.age === null ? null : Number(row.age) }
}

export interface FailingRows {
  /** Unpublished rows released after the broker kept rejecting them (later rows of their keys wait). */
  rows: number
  keys: number
  /** The error of the oldest of them; null when there are none. */
  lastError: string | null
}

export async function failingRows(db: Kysely<Database>): Promise<FailingRows> {
  const row = await db
    .selectFrom('outbox')
    .select([
      sql<string>`count(*)`.as('rows'),
      sql<string>`count(distinct key)`.as('keys'),
      sql<string | null>`(array_agg(last_error order by id))[1]`.as('lastError'),
    ])
    .where('published_at', 'is', null)
    .where('attempts', '>', 0)
    .executeTakeFirstOrThrow()
  return { rows: Number(row.rows), keys: Number(row.keys), lastError: row.lastError }
}
