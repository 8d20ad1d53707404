import { type Kysely, sql } from 'kysely'

// user_register v2 carries the user's locale. A constant default: PostgreSQL adds the column
// without rewriting the table, and the profiles stored from v1 events get `und` (BCP 47
// "undetermined"), exactly what the upcaster gives a v1 event.
// biome-ignore lint/suspicious/noExplicitAny: Kysely migrations must accept any database shape.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('profiles')
    .addColumn('locale', 'text', (column) => column.notNull().defaultTo(sql`'und'`))
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('profiles').dropColumn('locale').execute()
}
