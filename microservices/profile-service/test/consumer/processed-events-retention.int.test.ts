import { randomUUID } from 'node:crypto'
import { createTestDatabase, useHarness, waitFor } from '@kafka-ref/testkit'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { Indexes } from '../../src/db/schema.ts'
import { deleteExpiredProcessedEvents } from '../../src/profiles/profile-repository.ts'
import { httpOnlyEnv, openTestDatabase, startApp } from '../helpers.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('processed_events retention', () => {
  const harness = useHarness()

  async function setUp(env: Record<string, string> = {}) {
    const databaseUrl = await createTestDatabase('processed_events_retention')
    const app = await startApp(harness, { ...httpOnlyEnv(databaseUrl), ...env })
    const db = harness.track(openTestDatabase(databaseUrl), (d) => d.destroy())
    /** Records event ids as processed `ageMs` ago (by the database's clock, like the consumer). */
    const record = async (count: number, ageMs: number) => {
      const ids = Array.from({ length: count }, () => randomUUID())
      await db
        .insertInto('processed_events')
        .values(
          ids.map((id) => ({
            event_id: id,
            processed_at: sql<Date>`now() - make_interval(secs => ${ageMs / 1000})`,
          })),
        )
        .execute()
      return ids
    }
    const remaining = async () =>
      new Set(
        (await db.selectFrom('processed_events').select('event_id').execute()).map((row) => row.event_id),
      )
    return { app, db, record, remaining }
  }

  it('deletes the ids processed longer ago than the retention, on a timer, and keeps the others', async () => {
    const { record, remaining } = await setUp({
      DEDUP_RETENTION_MS: String(DAY),
      DEDUP_CLEANUP_INTERVAL_MS: '100',
    })
    const expired = await record(3, 2 * DAY)
    const kept = [...(await record(2, DAY - HOUR)), ...(await record(2, 0))]

    await waitFor(async () => (await remaining()).size === kept.length, {
      description: 'expired ids deleted',
    })
    const left = await remaining()
    for (const id of kept) expect(left.has(id)).toBe(true)
    for (const id of expired) expect(left.has(id)).toBe(false)
  })

  it('deletes in batches until no id past the retention is left', async () => {
    // No timer: every deletion is this test's.
    const { app, record, remaining } = await setUp({ DEDUP_CLEANUP_INTERVAL_MS: '0' })
    await record(25, 40 * DAY)
    const kept = await record(1, 0)
    expect(await deleteExpiredProcessedEvents(app.db, 30 * DAY, { batchSize: 10 })).toBe(25)
    expect(await remaining()).toEqual(new Set(kept))
    // Found by age through an index (migration 0002), not by scanning the whole table. (A table this
    // small would be scanned anyway: the planner is told not to, to show the index serves the query.)
    const plan = await app.db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx)
      return sql<{
        'QUERY PLAN': string
      }>`explain select event_id from processed_events where processed_at < now() - interval '30 days'`.execute(
        tx,
      )
    })
    expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(Indexes.processedEventsAge)
  })
})
