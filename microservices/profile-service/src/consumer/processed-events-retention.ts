import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.ts'

/** Rows per delete statement: short transactions, so no consumer insert waits long behind one. */
const DELETE_BATCH_SIZE = 5000

/**
 * Deletes the ids of events processed more than `retentionMs` ago, in batches, and returns how
 * many. Ages are measured by the database's clock, which stamped them. Rows another instance is
 * deleting at the same moment are skipped, not waited for.
 */
export async function deleteExpiredProcessedEvents(
  db: Kysely<Database>,
  retentionMs: number,
  { batchSize = DELETE_BATCH_SIZE } = {},
): Promise<number> {
  let total = 0
  for (;;) {
    const result = await db
      .deleteFrom('processed_events')
      .where('event_id', 'in', (eb) =>
        eb
          .selectFrom('processed_events')
          .select('event_id')
          .where('processed_at', '<', sql<Date>`now() - make_interval(secs => ${retentionMs / 1000})`)
          .limit(batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .executeTakeFirst()
    const deleted = Number(result.numDeletedRows)
    total += deleted
    if (deleted < batchSize) return total
  }
}
