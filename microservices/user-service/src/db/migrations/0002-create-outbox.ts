import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: Kysely migrations must accept any database shape.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('topic', 'text', (column) => column.notNull())
    .addColumn('key', 'text', (column) => column.notNull())
    // The exact bytes to publish, so a relay on a newer version sends what was committed.
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('headers', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .execute()

  // Partial indexes stay as small as the backlog: the relay and the health check read only these.
  await db.schema
    .createIndex('outbox_unpublished_idx')
    .on('outbox')
    .column('id')
    .where(sql.ref('published_at'), 'is', null)
    .execute()
  await db.schema
    .createIndex('outbox_unpublished_key_idx')
    .on('outbox')
    .columns(['key', 'id'])
    .where(sql.ref('published_at'), 'is', null)
    .execute()
  await db.schema
    .createIndex('outbox_published_at_idx')
    .on('outbox')
    .column('published_at')
    .where(sql.ref('published_at'), 'is not', null)
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox').execute()
}
