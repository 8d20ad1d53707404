import { type Kysely, sql } from 'kysely'

/**
 * Rows are claimed by a lease instead of a row lock held across the send. `lease_owner` names the
 * claim holding a row (or `backoff` after the broker kept rejecting it), `locked_until` ends that
 * hold (database time, so instances need no synchronised clocks); a row without an owner is free.
 * `attempts` and `last_error` record rejections for readiness and operators.
 */
// biome-ignore lint/suspicious/noExplicitAny: Kysely migrations must accept any database shape.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('lease_owner', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute()
  // What a claim scans, oldest first. Its predicate is exactly the claim's, so PostgreSQL walks
  // it in order and stops at the batch size even when its statistics have not caught up with a
  // backlog (with a filter on top of a wider index it reads and sorts the whole backlog instead).
  await db.schema
    .createIndex('outbox_free_idx')
    .on('outbox')
    .column('id')
    .where(sql<boolean>`published_at is null and lease_owner is null`)
    .execute()
  // Rows leased or backing off: a claim probes it by key for the rows it must pass over, and the
  // holds that have ended are found here without reading the backlog.
  await db.schema
    .createIndex('outbox_held_idx')
    .on('outbox')
    .columns(['key', 'id'])
    .where(sql<boolean>`published_at is null and lease_owner is not null`)
    .execute()
  // Empty while all is well, so counting the rows that keep failing costs nothing.
  await db.schema
    .createIndex('outbox_failing_idx')
    .on('outbox')
    .column('id')
    .where(sql<boolean>`published_at is null and attempts > 0`)
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_failing_idx').execute()
  await db.schema.dropIndex('outbox_held_idx').execute()
  await db.schema.dropIndex('outbox_free_idx').execute()
  await db.schema
    .alterTable('outbox')
    .dropColumn('lease_owner')
    .dropColumn('locked_until')
    .dropColumn('attempts')
    .dropColumn('last_error')
    .execute()
}
