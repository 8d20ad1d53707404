import { setImmediate } from 'node:timers/promises'
import type { Env, ZodFastify } from '@kafka-ref/service-kit'
import { type UserRegisterEventV1, upcastUserRegister } from '@kafka-ref/shared-contracts'
import { createTestDatabase, useHarness, userRegisterEvent, waitFor } from '@kafka-ref/testkit'
import { type Kysely, sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/schema.ts'
import { ProfileCache } from '../../src/profiles/profile-cache.ts'
import { applyUserRegisteredBatch, PROFILE_CREATED_CHANNEL } from '../../src/profiles/profile-repository.ts'
import { httpOnlyEnv, openTestDatabase, startApp } from '../helpers.ts'
import { listenerBehindProxy } from './listener-behind-proxy.ts'

const TAG = 'cache'

// Several instances share one database, as in production; profiles are written the way the
// consumer writes them (each write announced by pg_notify, delivered on commit).
describe('the profile cache', () => {
  const harness = useHarness()
  let url: string
  let env: Env

  beforeAll(async () => {
    url = await createTestDatabase('profile_cache')
    env = httpOnlyEnv(url)
  })

  const start = (extra: Env = {}): Promise<ZodFastify> => startApp(harness, { ...env, ...extra })
  const writer = () => harness.track(openTestDatabase(url), (db) => db.destroy())

  const get = (app: ZodFastify, id: string) => app.inject({ url: `/profile/${id}` })
  const usernameOn = async (app: ZodFastify, id: string) => {
    const response = await get(app, id)
    expect(response.statusCode).toBe(200)
    return response.json().username as string
  }
  /**
   * Stores the events (as the consumer would, through `db`) and resolves once every app heard their
   * notifications: a lookup racing its own profile's notification is rightly not cached.
   */
  async function store(db: Kysely<Database>, events: UserRegisterEventV1[], ...apps: ZodFastify[]) {
    const heard = apps.flatMap((app) =>
      events.map((event) => app.profileListener.wait(event.data.userId, 20_000).done),
    )
    await applyUserRegisteredBatch(db, events.map(upcastUserRegister))
    expect(await Promise.all(heard)).toEqual(heard.map(() => true))
  }

  /** The same user registered again under a new event id (a republished event): new names. */
  const republished = (event: UserRegisterEventV1, version: number) =>
    userRegisterEvent(TAG, version, { userId: event.data.userId, username: `${TAG}_v${version}` })

  it('serves a profile from memory, with the same body and headers as from the database', async () => {
    const app = await start()
    const event = userRegisterEvent(TAG, 0, { displayName: 'Grace H.' })
    await store(app.db, [event], app)

    const fromDatabase = await get(app, event.data.userId)
    const fromMemory = await get(app, event.data.userId.toUpperCase())
    expect(app.profileCache.hits).toBe(1)
    expect(fromMemory.statusCode).toBe(200)
    expect(fromMemory.body).toBe(fromDatabase.body)
    expect(fromMemory.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(fromMemory.headers['content-type']).toBe(fromDatabase.headers['content-type'])
    expect(fromMemory.json()).toEqual({
      userId: event.data.userId,
      username: event.data.username,
      displayName: 'Grace H.',
      // A v1 event: its locale is undetermined.
      locale: 'und',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
  })

  it('instance B never serves the old value once it heard the notification of an update made on A, reads racing the updates', async () => {
    const a = await start()
    // The readers below ask as fast as they are answered, far above the per-client limit.
    const b = await start({ PROFILE_RATE_LIMIT_MAX: '1000000' })
    const event = userRegisterEvent(TAG, 0)
    const id = event.data.userId
    await store(a.db, [event], b)
    expect(await usernameOn(b, id)).toBe(event.data.username)
    expect(await usernameOn(b, id)).toBe(event.data.username)
    const hitsBefore = b.profileCache.hits
    expect(hitsBefore).toBe(1)

    for (let version = 1; version <= 20; version++) {
      // Resolves when B hears the update's notification.
      const heard = b.profileListener.wait(id, 20_000)
      // Lookups under way while the update commits and is announced: some read the old row.
      let racing = true
      const readers = Array.from({ length: 4 }, async () => {
        while (racing) {
          expect((await get(b, id)).statusCode).toBe(200)
          // A lookup served from memory completes without I/O: give the notification its turn.
          await setImmediate()
        }
      })
      await applyUserRegisteredBatch(a.db, [upcastUserRegister(republished(event, version))])
      expect(await heard.done).toBe(true)
      expect(await usernameOn(b, id)).toBe(`${TAG}_v${version}`)
      racing = false
      await Promise.all(readers)
      // None of the lookups that read the old row cached it.
      expect(await usernameOn(b, id)).toBe(`${TAG}_v${version}`)
      expect(await usernameOn(a, id)).toBe(`${TAG}_v${version}`)
    }
    // The reads were served from memory in between, not only from the database.
    expect(b.profileCache.hits).toBeGreaterThan(hitsBefore + 20)
    expect(b.profileCache.keysInFlight).toBe(0)
  })

  it('is emptied when the LISTEN connection drops, caches nothing until it listens again, then serves what changed meanwhile', async () => {
    const app = await start()
    const db = writer()
    const event = userRegisterEvent(TAG, 0)
    const id = event.data.userId
    await store(db, [event], app)
    await get(app, id)
    expect(app.profileCache.size).toBe(1)

    await sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and query ilike 'LISTEN%'
    `.execute(db)
    await waitFor(() => !app.profileListener.isListening, { intervalMs: 10, description: 'connection lost' })
    expect(app.profileCache.size).toBe(0)
    // Its notification may be sent while nobody listens.
    await applyUserRegisteredBatch(db, [upcastUserRegister(republished(event, 1))])

    await waitFor(() => app.profileListener.isListening, { description: 'listening again' })
    expect(await usernameOn(app, id)).toBe(`${TAG}_v1`)
    expect(await usernameOn(app, id)).toBe(`${TAG}_v1`)
    expect(app.profileCache.size).toBe(1)
  })

  it('is emptied when the listener reconnects after a silently dropped connection, whose notifications were lost', async () => {
    const { listener, proxy } = await listenerBehindProxy(url)
    const cache = new ProfileCache({ maxEntries: 10, maxBytes: 10_000 })
    listener.observe(cache)
    const db = writer()
    const id = '2e4c6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a'
    const lookup = (ticket = cache.begin(id)) => {
      cache.store(ticket, '{"v":1}')
      cache.release(ticket)
    }
    try {
      await listener.start()
      lookup()
      expect(cache.get(id)).toBeDefined()
      // Began before the drop; its answer arrives after the reconnect.
      const spanning = cache.begin(id)
      // No error, no FIN: the connection just stops carrying anything, and the notification is lost.
      proxy.silenceOpenConnections()
      await sql`select pg_notify(${PROFILE_CREATED_CHANNEL}, ${id})`.execute(db)

      await waitFor(() => listener.isListening && proxy.accepted === 2, { description: 'listening again' })
      expect(cache.get(id)).toBeUndefined()
      lookup(spanning)
      expect(cache.get(id)).toBeUndefined()

      // Coherent again: cached, and evicted by the next notification on the new connection.
      lookup()
      expect(cache.get(id)).toBeDefined()
      const heard = listener.wait(id, 20_000)
      await sql`select pg_notify(${PROFILE_CREATED_CHANNEL}, ${id})`.execute(db)
      expect(await heard.done).toBe(true)
      expect(cache.get(id)).toBeUndefined()
    } finally {
      await listener.close()
      await proxy.close()
    }
  })

  it('caches no missing profile: one stored without its notification is served at once', async () => {
    const app = await start()
    const id = '7a5c3e1f-9b8d-4c6e-8f0a-2b4d6f8a0c1e'
    expect((await get(app, id)).statusCode).toBe(404)
    await writer()
      .insertInto('profiles')
      .values({ user_id: id, username: 'quiet', display_name: 'quiet' })
      .execute()
    expect(await usernameOn(app, id)).toBe('quiet')
  })

  it('keeps at most PROFILE_CACHE_MAX_ENTRIES profiles and PROFILE_CACHE_MAX_BYTES bytes; 0 disables it', async () => {
    const events = Array.from({ length: 4 }, (_, i) => userRegisterEvent(TAG, i))
    const db = writer()
    const byCount = await start({ PROFILE_CACHE_MAX_ENTRIES: '2' })
    const byBytes = await start({ PROFILE_CACHE_MAX_BYTES: '250' })
    const off = [
      await start({ PROFILE_CACHE_MAX_ENTRIES: '0' }),
      await start({ PROFILE_CACHE_MAX_BYTES: '0' }),
    ]
    await store(db, events, byCount, byBytes, ...off)
    const readAll = async (app: ZodFastify) => {
      for (const event of events) expect(await usernameOn(app, event.data.userId)).toBe(event.data.username)
    }

    await readAll(byCount)
    expect(byCount.profileCache.size).toBe(2)

    // One profile's JSON (about 150 bytes) and id fit, two do not.
    await readAll(byBytes)
    expect(byBytes.profileCache.size).toBe(1)
    expect(byBytes.profileCache.bytes).toBeLessThanOrEqual(250)

    for (const app of off) {
      await readAll(app)
      await readAll(app)
      expect(app.profileCache.enabled).toBe(false)
      expect(app.profileCache.size).toBe(0)
      expect(app.profileCache.hits).toBe(0)
    }
  })
})
