import type { Kysely } from 'kysely'
import { Indexes } from '../schema.ts'

// The retention cleanup deletes by age; without this index each run would scan the whole table.
// biome-ignore lint/suspicious/noExplicitAny: Kysely migrations must accept any database shape.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex(Indexes.processedEventsAge)
    .on('processed_events')
    .column('processed_at')
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex(Indexes.processedEventsAge).execute()
}
