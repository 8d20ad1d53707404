import type { ZodFastify } from '@kafka-ref/service-kit'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  claimBatch,
  claimStatement,
  failingRows,
  freeEndedHolds,
  markPublished,
  releaseRows,
  renewLease,
} from '../../src/outbox/outbox-repository.ts'
import { cleanUp } from '../../src/outbox/upkeep.ts'
import { createTestContext, startApp } from '../helpers.ts'

let app: ZodFastify

beforeAll(async () => {
  const context = await createTestContext()
  app = await startApp(context.env)
})
afterAll(async () => {
  await app?.close()
})
beforeEach(async () => {
  await app.db.deleteFrom('outbox').execute()
})

async function insert(key: string) {
  const row = await app.db
    .insertInto('outbox')
    .values({ topic: 't', key, value: '{}', headers: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

const LEASE_MS = 60_000

async function claim(owner: string, limit = 10) {
  const rows = await claimBatch(app.db, { owner, limit, leaseMs: LEASE_MS })
  return rows.map((row) => row.id)
}

/** As if the lease had run out: its owner crashed, or could not renew it in time. */
async function expireLeases(owner: string) {
  await app.db
    .updateTable('outbox')
    .set({ locked_until: new Date(Date.now() - 1000) })
    .where('lease_owner', '=', owner)
    .execute()
}

describe('claimBatch', () => {
  it('never hands out a later row of a key while an earlier one is leased elsewhere', async () => {
    const a1 = await insert('a')
    const b1 = await insert('b')
    const a2 = await insert('a')
    const c1 = await insert('c')

    // Instance A leases the oldest row (a1) only; no transaction stays open meanwhile.
    expect(await claim('A', 1)).toEqual([a1])
    // Instance B skips a1 and must also leave a2 alone, but may take b1 and c1.
    expect(await claim('B')).toEqual([b1, c1])
    expect(await claim('C')).toEqual([])

    // Once a1 is published, a2 is free.
    expect(await markPublished(app.db, 'A', [a1])).toBe(1)
    expect(await claim('C')).toEqual([a2])
  })

  it('lets another instance take over an expired lease, and the old owner can no longer renew or mark it', async () => {
    const a1 = await insert('a')
    const a2 = await insert('a')
    expect(await claim('A')).toEqual([a1, a2])
    expect(await renewLease(app.db, 'A', [a1, a2], LEASE_MS)).toBe(2)
    expect(await claim('B')).toEqual([])

    await expireLeases('A')
    expect(await claim('B')).toEqual([])
    expect(await freeEndedHolds(app.db)).toBe(2)
    expect(await claim('B')).toEqual([a1, a2])
    expect(await renewLease(app.db, 'A', [a1, a2], LEASE_MS)).toBe(0)
    expect(await markPublished(app.db, 'A', [a1, a2])).toBe(0)
    expect(await releaseRows(app.db, 'A', [a1, a2])).toBe(0)
    expect(await markPublished(app.db, 'B', [a1, a2])).toBe(2)
  })

  it('keeps a key whose row was released after failures waiting, and only that key', async () => {
    const a1 = await insert('a')
    const b1 = await insert('b')
    const a2 = await insert('a')
    expect(await claim('A')).toEqual([a1, b1, a2])
    const failure = { error: 'TOPIC_AUTHORIZATION_FAILED', retryInMs: LEASE_MS }
    expect(await releaseRows(app.db, 'A', [a1], { failure })).toBe(1)
    expect(await releaseRows(app.db, 'A', [b1, a2])).toBe(2)

    expect(await claim('B')).toEqual([b1])
    const failed = await app.db
      .selectFrom('outbox')
      .select(['lease_owner', 'attempts', 'last_error'])
      .where('id', '=', a1)
      .executeTakeFirstOrThrow()
    expect(failed).toEqual({ lease_owner: 'backoff', attempts: 1, last_error: 'TOPIC_AUTHORIZATION_FAILED' })
    expect(await failingRows(app.db)).toEqual({ rows: 1, keys: 1, lastError: 'TOPIC_AUTHORIZATION_FAILED' })

    // After the back-off, a1 and then a2 go again, in order.
    await expireLeases('backoff')
    expect(await freeEndedHolds(app.db)).toBe(1)
    expect(await claim('C')).toEqual([a1, a2])
  })

  it('does not let the waiting rows of a blocked key crowd other keys out of a claim', async () => {
    const a1 = await insert('a')
    for (let i = 0; i < 3; i++) await insert('a')
    const b1 = await insert('b')
    expect(await claim('A', 1)).toEqual([a1])

    // The three rows behind a1 are the oldest free rows; a claim of two must still find b1.
    expect(await claim('B', 2)).toEqual([b1])
  })
})

describe('claim plan', () => {
  interface PlanNode {
    'Node Type': string
    'Relation Name'?: string
    'Actual Rows': number
    'Actual Loops': number
    Plans?: PlanNode[]
  }
  const rowsRead = (node: PlanNode): number[] => [
    ...(node['Relation Name'] === 'outbox' ? [node['Actual Rows'] * node['Actual Loops']] : []),
    ...(node.Plans ?? []).flatMap(rowsRead),
  ]

  it('reads about one batch of rows whatever the backlog, also before PostgreSQL has statistics on it', async () => {
    // A backlog that appeared at once (as after an outage) in a table never analysed.
    await sql`insert into outbox (topic, key, value)
      select 't', 'k' || n, '{}' from generate_series(1, 5000) as n`.execute(app.db)
    const held = await claim('A', 10)
    await releaseRows(app.db, 'A', held.slice(0, 5), { failure: { error: 'x', retryInMs: LEASE_MS } })

    const statement = claimStatement({ owner: 'B', limit: 10, leaseMs: LEASE_MS })
    const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`
      explain (analyze, format json) ${statement}`.execute(app.db)
    const read = rowsRead(rows[0]!['QUERY PLAN'][0].Plan)
    expect(read.length).toBeGreaterThan(0)
    expect(Math.max(...read)).toBeLessThanOrEqual(20)
  })
})

describe('cleanup', () => {
  it('deletes published rows older than the retention, and only those', async () => {
    const old = await insert('old')
    const recent = await insert('recent')
    const pending = await insert('pending')
    await app.db
      .updateTable('outbox')
      .set({ published_at: new Date(Date.now() - 120_000) })
      .where('id', '=', old)
      .execute()
    await app.db.updateTable('outbox').set({ published_at: new Date() }).where('id', '=', recent).execute()

    expect(await cleanUp(app, 60_000)).toBe(1)
    const left = await app.db.selectFrom('outbox').select('id').orderBy('id').execute()
    expect(left.map((row) => row.id)).toEqual([recent, pending])
  })
})
