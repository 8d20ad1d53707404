import { type Kysely, sql } from 'kysely'
import { UserIndexes } from '../schema.ts'

// Kysely migrations must accept any database shape: the schema they create is the one in schema.ts.
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (column) => column.primaryKey())
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('username', 'text', (column) => column.notNull())
    .addColumn('display_name', 'text')
    .addColumn('password_hash', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()

  // Uniqueness is decided by these indexes, so two concurrent registrations cannot both win.
  // Both are case-insensitive: `Alice@x.org` and `alice@x.org` reach the same inbox, and `Alice`
  // next to `alice` would let one user impersonate another.
  await db.schema
    .createIndex(UserIndexes.uniqueEmail)
    .on('users')
    .unique()
    .expression(sql`lower(email)`)
    .execute()
  await db.schema
    .createIndex(UserIndexes.uniqueUsername)
    .on('users')
    .unique()
    .expression(sql`lower(username)`)
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('users').execute()
}
