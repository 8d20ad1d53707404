import {
  type UserRegisterEventV1,
  type UserRegisterEventV2,
  upcastUserRegister,
} from '@kafka-ref/shared-contracts'
import {
  createTestDatabase,
  useHarness,
  userRegisterEvent,
  userRegisterEventV2,
  waitFor,
} from '@kafka-ref/testkit'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/schema.ts'
import { applyUserRegisteredBatch, PROFILE_CREATED_CHANNEL } from '../../src/profiles/profile-repository.ts'
import { httpOnlyEnv, startApp } from '../helpers.ts'

const TAG = 'repository'

// The consumer's write: what one call stores, what it answers and what it announces.
describe('applyUserRegisteredBatch', () => {
  const harness = useHarness()
  let databaseUrl: string
  let db: Kysely<Database>
  let statements: string[]
  let listener: pg.Client
  let notified: string[]

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('profile_repository')
    // The app migrates the database; the statements are counted on a connection of the test's own.
    await startApp(harness, httpOnlyEnv(databaseUrl))
    statements = []
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 2 }) }),
      log: (event) => {
        statements.push(event.query.sql)
      },
    })
    notified = []
    listener = new pg.Client({ connectionString: databaseUrl })
    await listener.connect()
    listener.on('notification', (message) => notified.push(message.payload ?? ''))
    await listener.query(`LISTEN ${PROFILE_CREATED_CHANNEL}`)
  })

  afterAll(async () => {
    await listener?.end()
    await db?.destroy()
  })

  const profileOf = (userId: string) =>
    db.selectFrom('profiles').selectAll().where('user_id', '=', userId.toLowerCase()).executeTakeFirst()

  /** Applies `events` and waits for the notifications of the users it should announce. */
  async function apply(events: Array<UserRegisterEventV1 | UserRegisterEventV2>, announced: string[]) {
    notified.length = 0
    statements.length = 0
    const results = await applyUserRegisteredBatch(db, events.map(upcastUserRegister))
    await waitFor(() => notified.length >= announced.length, {
      description: `${announced.length} notifications`,
    })
    expect([...notified].sort()).toEqual([...announced].sort())
    return results
  }

  it('stores a batch of 500 events in one statement, announcing each stored profile', async () => {
    const events = Array.from({ length: 500 }, (_, i) => userRegisterEvent(TAG, i))
    const results = await apply(
      events,
      events.map((event) => event.data.userId),
    )
    expect(results).toEqual(events.map(() => 'created'))
    // One round trip and one (implicit) transaction per batch, whatever its size.
    expect(statements).toHaveLength(1)
    const stored = await db
      .selectFrom('profiles')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBe(500)
  })

  it('applies events as if one after the other: duplicates, redeliveries and a user renamed twice', async () => {
    const first = userRegisterEvent(TAG, 1000)
    const [redelivered] = [userRegisterEvent(TAG, 1001)]
    await apply([redelivered], [redelivered.data.userId])
    const before = (await profileOf(first.data.userId)) ?? null
    expect(before).toBeNull()

    // Upper-case spellings are the same uuids; the notification carries the event's spelling.
    const upper = userRegisterEvent(TAG, 1002)
    const upperId = upper.data.userId.toUpperCase()
    const shouted = { ...upper, id: upper.id.toUpperCase(), data: { ...upper.data, userId: upperId } }
    const renamed = { ...userRegisterEvent(TAG, 1003), data: { ...first.data, username: 'renamed_once' } }
    const renamedAgain = {
      ...userRegisterEvent(TAG, 1004),
      data: { ...first.data, username: 'renamed_twice', displayName: 'Twice' },
    }
    const results = await apply(
      [first, redelivered, first, shouted, renamed, { ...shouted, id: upper.id }, renamedAgain],
      [first.data.userId, upperId],
    )
    expect(results).toEqual([
      'created',
      'duplicate',
      'duplicate',
      'created',
      'created',
      'duplicate',
      'created',
    ])
    expect(await profileOf(first.data.userId)).toMatchObject({
      username: 'renamed_twice',
      display_name: 'Twice',
    })
    expect(await profileOf(upperId)).toMatchObject({
      username: upper.data.username,
      display_name: upper.data.username,
    })

    // The same user under yet another event id: names updated, creation time kept, announced again.
    const createdAt = (await profileOf(first.data.userId))!.created_at
    const later = { ...userRegisterEvent(TAG, 1005), data: { ...first.data, username: 'renamed_later' } }
    expect(await apply([later], [first.data.userId])).toEqual(['created'])
    const updated = (await profileOf(first.data.userId))!
    expect(updated).toMatchObject({ username: 'renamed_later', display_name: 'renamed_later' })
    expect(updated.created_at).toEqual(createdAt)
    expect(updated.updated_at.getTime()).toBeGreaterThan(createdAt.getTime())
  })

  it('stores the locale of a v2 event, und for a v1 event, and the latest for a user told again', async () => {
    const v1 = userRegisterEvent(TAG, 3000)
    const v2 = userRegisterEventV2(TAG, 3001, { locale: 'de-CH' })
    expect(await apply([v1, v2], [v1.data.userId, v2.data.userId])).toEqual(['created', 'created'])
    expect(await profileOf(v1.data.userId)).toMatchObject({ locale: 'und' })
    expect(await profileOf(v2.data.userId)).toMatchObject({ locale: 'de-CH' })
    // The same user in a later v2 event (a new id): the locale follows, like the names.
    const told = { ...userRegisterEventV2(TAG, 3002), data: { ...v1.data, locale: 'it' } }
    expect(await apply([told], [v1.data.userId])).toEqual(['created'])
    expect(await profileOf(v1.data.userId)).toMatchObject({ locale: 'it' })
  })

  it('stores and announces nothing for a batch of redeliveries, or no events at all', async () => {
    const event = userRegisterEvent(TAG, 2000)
    await apply([event], [event.data.userId])
    expect(await apply([event, event], [])).toEqual(['duplicate', 'duplicate'])
    expect(await apply([], [])).toEqual([])
    expect(statements).toHaveLength(0)
    // Nothing came late either: a notification is sent at commit, before the call returns.
    await listener.query('select 1')
    expect(notified).toEqual([])
  })
})
