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

/**
 * Locks the oldest unpublished rows for this transaction. SKIP LOCKED lets instances share the
 * backlog without waiting on each other; the NOT EXISTS keeps per-key order: a row is taken only
 * if no earlier unpublished row of its key exists outside this batch (e.g. one locked by another
 * instance, still being sent), so a later event of a key can never overtake an earlier one.
 */
export async function lockPendingBatch(trx: Transaction<Database>, limit: number): Promise<PendingMessage[]> {
  const { rows } = await sql<PendingMessage>`
    with batch as (
      select id, key from outbox
      where published_at is null
      order by id
      limit ${limit}
      for update skip locked
    )
    select o.id, o.topic, o.key, o.value, o.headers
    from outbox o
    join batch b on b.id = o.id
    where not exists (
      select 1 from outbox earlier
      where earlier.key = b.key
        and earlier.published_at is null
        and earlier.id < b.id
        and earlier.id not in (select id from batch)
    )
    order by o.id
  `.execute(trx)
  return rows
}

export async function markPublished(trx: Transaction<Database>, ids: string[]): Promise<void> {
  await trx.updateTable('outbox').set({ published_at: sql`now()` }).where('id', 'in', ids).execute()
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
