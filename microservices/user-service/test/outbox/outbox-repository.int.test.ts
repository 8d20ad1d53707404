import type { ZodFastify } from '@kafka-ref/service-kit'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { lockPendingBatch } from '../../src/outbox/outbox-repository.ts'
import { createTestContext, startApp } from '../helpers.ts'

let app: ZodFastify

beforeAll(async () => {
  const context = await createTestContext()
  app = await startApp({ ...context.env, OUTBOX_RETENTION_MS: '60000' })
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

describe('lockPendingBatch', () => {
  it('never hands out a later row of a key while an earlier one is locked elsewhere', async () => {
    const a1 = await insert('a')
    const b1 = await insert('b')
    const a2 = await insert('a')
    const c1 = await insert('c')

    // Instance A holds the oldest row (a1) only.
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve
    })
    const instanceA = app.db.transaction().execute(async (trx) => {
      const batch = await lockPendingBatch(trx, 1)
      expect(batch.map((row) => row.id)).toEqual([a1])
      locked()
      await held
    })
    await isLocked

    // Instance B skips a1 and must also leave a2 alone, but may take b1 and c1.
    const batchB = await app.db.transaction().execute((trx) => lockPendingBatch(trx, 10))
    expect(batchB.map((row) => row.id)).toEqual([b1, c1])
    release()
    await instanceA

    // Without a competitor, both rows of a key go in one batch, in order.
    const alone = await app.db.transaction().execute((trx) => lockPendingBatch(trx, 10))
    expect(alone.map((row) => row.id)).toEqual([a1, b1, a2, c1])
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

    expect(await app.outboxRelay.cleanUp()).toBe(1)
    const left = await app.db.selectFrom('outbox').select('id').orderBy('id').execute()
    expect(left.map((row) => row.id)).toEqual([recent, pending])
  })
})
