import { createTestDatabase } from '@kafka-ref/testkit'
import { type Kysely, type Migration, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { checkDatabase, openDatabase } from '../../src/index.ts'

let opened: Kysely<unknown>[] = []
afterEach(async () => {
  await Promise.all(opened.map((db) => db.destroy()))
  opened = []
})

/** A migration that would fail if it ran twice: a plain CREATE TABLE and a row insert. */
const migrations: Record<string, Migration> = {
  '0001-create-things': {
    async up(db) {
      await sql`create table things (id int primary key)`.execute(db)
      await sql`insert into things values (1)`.execute(db)
    },
  },
}

async function open(connectionString: string) {
  const db = await openDatabase<unknown>({ connectionString, migrations, poolMax: 2 })
  opened.push(db)
  return db
}

describe('openDatabase', () => {
  it('migrates once when several instances start at the same time', async () => {
    const url = await createTestDatabase('service_kit_migrate')
    const [first] = await Promise.all([open(url), open(url), open(url), open(url)])
    const { rows } = await sql<{ count: string }>`select count(*) as count from things`.execute(first!)
    expect(Number(rows[0]!.count)).toBe(1)
    expect(await checkDatabase(first!)).toBe(true)
  })

  it('reports a failing migration and closes its pool', async () => {
    const url = await createTestDatabase('service_kit_broken')
    const broken = {
      '0001-broken': { up: async (db: Kysely<unknown>) => void (await sql`nonsense`.execute(db)) },
    }
    await expect(openDatabase({ connectionString: url, migrations: broken })).rejects.toThrow(
      /migration 0001-broken failed/,
    )
  })

  it('says an unreachable database is not ready', async () => {
    const url = await createTestDatabase('service_kit_ping')
    const db = await open(url)
    await db.destroy()
    opened = []
    expect(await checkDatabase(db)).toBe(false)
  })

  it('opens a second pool without migrating when given no migrations', async () => {
    const url = await createTestDatabase('service_kit_second_pool')
    const second = await openDatabase<unknown>({ connectionString: url, poolMax: 1 })
    opened.push(second)
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from information_schema.tables where table_name like 'kysely_migration%'
    `.execute(second)
    expect(Number(rows[0]!.n)).toBe(0)
    expect(await checkDatabase(second)).toBe(true)
  })

  it('applies its settings to every connection of its pool, and only to that pool', async () => {
    const url = await createTestDatabase('service_kit_settings')
    const relaxed = await openDatabase<unknown>({
      connectionString: url,
      poolMax: 2,
      settings: { synchronous_commit: 'off' },
    })
    opened.push(relaxed)
    const plain = await open(url)
    const setting = async (db: Kysely<unknown>) =>
      (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]!
        .synchronous_commit
    // Two connections at once, so both of the pool's connections are looked at.
    const both = await Promise.all([
      relaxed.connection().execute((db) => setting(db)),
      relaxed.connection().execute((db) => setting(db)),
    ])
    expect(both).toEqual(['off', 'off'])
    expect(await setting(plain)).toBe('on')
  })

  it('refuses a setting it could not pass on as written', async () => {
    await expect(
      openDatabase({
        connectionString: 'postgres://127.0.0.1:1/x',
        settings: { work_mem: '64MB -c fsync=off' },
      }),
    ).rejects.toThrow(/only plain names and values/)
  })
})
