import { randomUUID } from 'node:crypto'
import type { Env, ZodFastify } from '@kafka-ref/service-kit'
import {
  PROBLEM_CONTENT_TYPE,
  PROFILE_MAX_WAIT_MS,
  ProfileProblemCodes,
  type UserRegisterEventV1,
  upcastUserRegister,
} from '@kafka-ref/shared-contracts'
import {
  addressesOfOneSlash64,
  createTestDatabase,
  useHarness,
  userRegisterEvent,
  userRegisterEventV2,
  waitFor,
} from '@kafka-ref/testkit'
import { beforeAll, describe, expect, it } from 'vitest'
import { applyUserRegisteredBatch } from '../../src/profiles/profile-repository.ts'
import { httpOnlyEnv, startApp } from '../helpers.ts'

const TAG = 'routes'

// The HTTP side only: events are applied directly, as the consumer would.
describe('GET /profile/:id', () => {
  const harness = useHarness()
  let env: Env

  beforeAll(async () => {
    env = httpOnlyEnv(await createTestDatabase('profile_routes'))
  })

  // Load shedding is not tested here (pressure-plugin.test.ts does): with it on, a machine at
  // load 20 answered a read of the IPv6 test 503 instead of 404, by the machine's speed.
  const start = (extra: Env = {}): Promise<ZodFastify> =>
    startApp(harness, { ...env, PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', ...extra })

  const apply = (app: ZodFastify, event: UserRegisterEventV1) =>
    applyUserRegisteredBatch(app.db, [upcastUserRegister(event)])

  /**
   * Resolves once a request waits for its profile with its first lookup answered. A request
   * subscribes and begins that lookup in one synchronous step, so `waiterCount` alone would also
   * count a request whose lookup is still under way (and could find a profile stored meanwhile);
   * the cache's ticket for that lookup is released once the database answered. Needs the cache
   * enabled and listening (the default), or no ticket is taken.
   */
  const waiting = (app: ZodFastify) => {
    expect(app.profileCache.enabled && app.profileListener.isListening).toBe(true)
    return waitFor(() => app.profileListener.waiterCount === 1 && app.profileCache.keysInFlight === 0, {
      description: 'a request waiting, its first lookup answered',
    })
  }

  /**
   * Asks for `event`'s profile by `id` (its user id as spelled in the URL), waiting up to `waitMs`,
   * and stores the profile only once the request waits: it cannot have been found at the first
   * lookup. Returns the answer and when the profile was stored.
   */
  async function storeWhileWaiting(app: ZodFastify, event: UserRegisterEventV1, id: string, waitMs: number) {
    const pending = app.inject({ url: `/profile/${id}?waitMs=${waitMs}` })
    await waiting(app)
    const storedAt = Date.now()
    await apply(app, event)
    return { response: await pending, storedAt }
  }

  /** A profile row written the way no notification announces it (a NOTIFY lost on the way). */
  const storeSilently = (app: ZodFastify, userId: string) =>
    app.db
      .insertInto('profiles')
      .values({ user_id: userId, username: 'quiet', display_name: 'quiet' })
      .execute()

  it('returns the stored profile, its display name defaulting to the username', async () => {
    const app = await start()
    const event = userRegisterEvent(TAG, 0)
    await apply(app, event)

    const response = await app.inject({ url: `/profile/${event.data.userId}` })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      userId: event.data.userId,
      username: event.data.username,
      displayName: event.data.username,
      // A v1 event says nothing of it: undetermined, as the upcaster gives it.
      locale: 'und',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })

    const named = userRegisterEvent(TAG, 1, { displayName: 'Ada L.' })
    await apply(app, named)
    expect((await app.inject({ url: `/profile/${named.data.userId}` })).json().displayName).toBe('Ada L.')
  })

  it('shows the locale of a user_register v2 event', async () => {
    const app = await start()
    const event = userRegisterEventV2(TAG, 2, { locale: 'fr-CA' })
    await applyUserRegisteredBatch(app.db, [event])
    const response = await app.inject({ url: `/profile/${event.data.userId}` })
    expect(response.json()).toMatchObject({ userId: event.data.userId, locale: 'fr-CA' })
    // Served from the cache the second time: the same body, locale included.
    expect((await app.inject({ url: `/profile/${event.data.userId}` })).json().locale).toBe('fr-CA')
  })

  it('answers 404 problem+json for an unknown user and 400 for a malformed id or wait', async () => {
    const app = await start()
    const missing = await app.inject({ url: `/profile/${randomUUID()}` })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
    expect(missing.json()).toMatchObject({ status: 404, code: 'PROFILE_NOT_FOUND' })

    const malformed = await app.inject({ url: '/profile/not-a-uuid' })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)

    const tooLong = await app.inject({ url: `/profile/${randomUUID()}?waitMs=${PROFILE_MAX_WAIT_MS + 1}` })
    expect(tooLong.statusCode).toBe(400)
  })

  it('waits for a profile stored during the request and answers as soon as it is', async () => {
    const app = await start()
    const event = userRegisterEvent(TAG, 0)
    const { response, storedAt } = await storeWhileWaiting(app, event, event.data.userId, 8000)
    expect(response.statusCode).toBe(200)
    expect(response.json().userId).toBe(event.data.userId)
    // Woken by the notification, long before its wait of 8 s would end.
    expect(Date.now() - storedAt).toBeLessThan(2000)
  })

  it('gives up with 404 when the wait runs out', async () => {
    const app = await start()
    const started = Date.now()
    const response = await app.inject({ url: `/profile/${randomUUID()}?waitMs=400` })
    expect(response.statusCode).toBe(404)
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
  })

  it('finds a profile asked for by its upper-case id and stored during the wait', async () => {
    const app = await start()
    const event = userRegisterEvent(TAG, 0)
    const started = Date.now()
    // The scenario of the issue: stored while the request waits (announced in lower case).
    const { response } = await storeWhileWaiting(app, event, event.data.userId.toUpperCase(), 4000)
    expect(response.statusCode).toBe(200)
    expect(response.json().userId).toBe(event.data.userId)
    // Woken by the notification, not found by the last look at the deadline.
    expect(Date.now() - started).toBeLessThan(4000)
  })

  it('looks once more at the deadline before answering 404', async () => {
    const app = await start()
    const userId = randomUUID()
    const started = Date.now()
    // Long enough that a busy machine cannot let the wait end before the test sees it parked.
    const waitMs = 3000
    const pending = app.inject({ url: `/profile/${userId}?waitMs=${waitMs}` })
    await waiting(app)
    await storeSilently(app, userId)

    const response = await pending
    expect(response.statusCode).toBe(200)
    expect(response.json().userId).toBe(userId)
    // Found by the last look, not the first one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(waitMs)
  })

  it('refuses waiters over PROFILE_MAX_WAITERS at once with 503 and Retry-After; plain reads still answer', async () => {
    const app = await start({ PROFILE_MAX_WAITERS: '2' })
    const timed = async (url: string) => {
      const started = Date.now()
      const response = await app.inject({ url })
      return { response, elapsedMs: Date.now() - started }
    }
    // The cap is checked and the waiter registered in one synchronous step, so exactly 2 are admitted.
    const waits = await Promise.all(
      Array.from({ length: 5 }, () => timed(`/profile/${randomUUID()}?waitMs=3000`)),
    )
    const plain = await timed(`/profile/${randomUUID()}`)

    expect(waits.map(({ response }) => response.statusCode).sort()).toEqual([404, 404, 503, 503, 503])
    for (const { response, elapsedMs } of waits.filter(({ response }) => response.statusCode === 503)) {
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
      expect(response.headers['retry-after']).toBe('1')
      expect(response.json()).toMatchObject({ status: 503, code: 'PROFILE_WAIT_CAPACITY_EXCEEDED' })
      // Refused without waiting.
      expect(elapsedMs).toBeLessThan(3000)
    }
    expect(plain.response.statusCode).toBe(404)
    expect(app.profileListener.waiterCount).toBe(0)
  })

  it('at PROFILE_MAX_WAITERS, still serves a profile that exists to a request with waitMs: only waiting is refused', async () => {
    const app = await start({ PROFILE_MAX_WAITERS: '1' })
    const [parkedUser, existing] = [userRegisterEvent(TAG, 20), userRegisterEvent(TAG, 21)]
    const parked = app.inject({ url: `/profile/${parkedUser.data.userId}?waitMs=${PROFILE_MAX_WAIT_MS}` })
    await waiting(app)
    await apply(app, existing)

    // Twice: once from the database, once from the cache.
    for (let i = 0; i < 2; i++) {
      const response = await app.inject({ url: `/profile/${existing.data.userId}?waitMs=5000` })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ userId: existing.data.userId })
    }
    const missing = await app.inject({ url: `/profile/${randomUUID()}?waitMs=5000` })
    expect(missing.statusCode).toBe(503)
    expect(missing.headers['retry-after']).toBe('1')
    expect(missing.json()).toMatchObject({ code: ProfileProblemCodes.waitCapacityExceeded })
    expect(app.profileListener.waiterCount).toBe(1)

    await apply(app, parkedUser)
    expect((await parked).statusCode).toBe(200)
  })

  it('answers 429 problem+json once a client exceeds PROFILE_RATE_LIMIT_MAX', async () => {
    const app = await start({ PROFILE_RATE_LIMIT_MAX: '3' })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await app.inject({ url: `/profile/${randomUUID()}` })).statusCode)
    expect(statuses).toEqual([404, 404, 404, 429])
    const limited = await app.inject({ url: `/profile/${randomUUID()}?waitMs=1000` })
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
    expect(limited.headers['retry-after']).toBeDefined()
  })

  it('IPv6: 300 reads from distinct addresses of one /64 share a bucket; a client elsewhere is served', async () => {
    const app = await start({ PROFILE_RATE_LIMIT_MAX: '20' })
    const from = (remoteAddress: string) => app.inject({ url: `/profile/${randomUUID()}`, remoteAddress })
    const statuses: number[] = []
    for (const address of addressesOfOneSlash64(300, '2001:db8:5:6'))
      statuses.push((await from(address)).statusCode)
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(404))
    expect(new Set(statuses.slice(20))).toEqual(new Set([429]))
    expect((await from('2001:db8:5:7::1')).statusCode).toBe(404)
    expect((await from('198.51.100.20')).statusCode).toBe(404)
  })

  it('serves health, readiness and the OpenAPI document', async () => {
    const app = await start()
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200)
    const ready = await app.inject({ url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks.database.ok).toBe(true)
    const openapi = (await app.inject({ url: '/openapi.json' })).json()
    expect(Object.keys(openapi.paths)).toContain('/profile/{id}')
    const responses = openapi.paths['/profile/{id}'].get.responses
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '404', '429', '503']))
    expect(responses['503'].description).toContain('PROFILE_WAIT_CAPACITY_EXCEEDED')
  })
})
