import { type Kysely, sql } from 'kysely'

// A constant default: PostgreSQL adds the column without rewriting the table, and the users who
// registered before have `und` (BCP 47 "undetermined"), which is what anyone knows of theirs.
// biome-ignore lint/suspicious/noExplicitAny: Kysely migrations must accept any database shape.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('locale', 'text', (column) => column.notNull().defaultTo(sql`'und'`))
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('locale').execute()
}
