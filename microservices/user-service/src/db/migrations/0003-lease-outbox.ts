import { type Kysely, sql } from 'kysely'

/**
 * Rows are claimed by a lease instead of a row lock held across the send: `lease_owner` names the
 * claim, `locked_until` ends it (database time, so instances need no synchronised clocks). After a
 * batch the broker keeps rejecting, its rows are released with `locked_until` in the future,
 * `attempts` counted and `last_error` kept for readiness and operators.
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
  await db.schema
    .alterTable('outbox')
    .dropColumn('lease_owner')
    .dropColumn('locked_until')
    .dropColumn('attempts')
    .dropColumn('last_error')
    .execute()
}
