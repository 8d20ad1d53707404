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

/** `lease_owner` of rows waiting out a back-off after the broker kept rejecting them. */
export const BACKOFF_OWNER = 'backoff'

/**
 * Leases the oldest free unpublished rows to `owner` for `leaseMs`, in one statement (so no
 * transaction outlives it). A row is free when it has no owner (see `freeEndedHolds`).
 *
 * Per-key order:
 * - a free row is passed over while an earlier row of its key is held (leased, or backing off),
 *   before the LIMIT, so the rows waiting behind a stuck key cannot crowd the others out;
 * - SKIP LOCKED lets instances claim side by side, so a row is taken only if no earlier
 *   unpublished row of its key is left out of this claim (one a concurrent claim is taking): a
 *   later event of a key never overtakes an earlier one.
 *
 * The plan is what keeps a claim cheap with any backlog: the scan's predicate is exactly
 * `outbox_free_idx`'s, so PostgreSQL walks it in id order and stops at the batch size, also when
 * its statistics lag behind a backlog built up during an outage; both checks are per-row probes
 * by key (`OFFSET 0` keeps them from being turned into joins that read every held or unpublished
 * row).
 */
export async function claimBatch(db: Kysely<Database>, claim: Claim): Promise<ClaimedMessage[]> {
  const { rows } = await claimStatement(claim).execute(db)
  return rows
}

/** The statement of `claimBatch`, for tests that look at its plan. */
export function claimStatement(claim: Claim) {
  return sql<ClaimedMessage>`
    with candidates as (
      select o.id, o.key from outbox o
      where o.published_at is null and o.lease_owner is null
        and not exists (
          select 1 from outbox held
          where held.key = o.key
            and held.published_at is null
            and held.lease_owner is not null
            and held.id < o.id
          offset 0
        )
      order by o.id
      limit ${claim.limit}
      for update of o skip locked
    ),
    claimable as (
      select c.id from candidates c
      where not exists (
        select 1 from outbox earlier
        where earlier.key = c.key
          and earlier.published_at is null
          and earlier.id < c.id
          and earlier.id not in (select id from candidates)
        offset 0
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
  `
}

/**
 * Frees the rows whose hold has ended: the lease of an instance that crashed (or could not renew
 * it), or a back-off after rejections. Returns how many. Rows another statement is changing are
 * left for the next call rather than waited for.
 */
export async function freeEndedHolds(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ lease_owner: null, locked_until: null })
    .where(
      'id',
      'in',
      sql<string>`(select id from outbox
        where published_at is null and lease_owner is not null and locked_until <= now()
        for update skip locked)`,
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
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
            lease_owner: BACKOFF_OWNER,
            locked_until: sql`now() + make_interval(secs => ${failure.retryInMs / 1000})`,
            attempts: sql`attempts + 1`,
            last_error: failure.error,
          }
        : { lease_owner: null, locked_until: null },
    )
    .where(sql<boolean>`id = any(${[...ids]}::bigint[])`)
    .where('lease_owner', '=', owner)
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
