import { randomUUID } from 'node:crypto'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { PROBLEM_CONTENT_TYPE, PROFILE_MAX_WAIT_MS } from '@kafka-ref/shared-contracts'
import { createTestDatabase } from '@kafka-ref/tools/testing'
import { beforeAll, describe, expect, it } from 'vitest'
import { applyUserRegistered } from '../../src/profiles/profile-store.ts'
import { startApp, useCleanup, userRegisterEvent } from '../helpers.ts'

// The HTTP side only: events are applied directly, as the consumer would.
describe('GET /profile/:id', () => {
  const track = useCleanup()
  let env: Record<string, string>

  beforeAll(async () => {
    env = {
      DATABASE_URL: await createTestDatabase('profile_routes'),
      KAFKA_BROKERS: 'unused:9092',
      LOG_LEVEL: 'silent',
    }
  })

  const start = async (): Promise<ZodFastify> =>
    track(await startApp(env, { consume: false }), (app) => app.close())

  it('returns the stored profile, its display name defaulting to the username', async () => {
    const app = await start()
    const event = userRegisterEvent()
    await applyUserRegistered(app.db, event)

    const response = await app.inject({ url: `/profile/${event.data.userId}` })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      userId: event.data.userId,
      username: event.data.username,
      displayName: event.data.username,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })

    const named = userRegisterEvent({ displayName: 'Ada L.' })
    await applyUserRegistered(app.db, named)
    expect((await app.inject({ url: `/profile/${named.data.userId}` })).json().displayName).toBe('Ada L.')
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
    const event = userRegisterEvent()
    const started = Date.now()
    const pending = app.inject({ url: `/profile/${event.data.userId}?waitMs=8000` })
    await new Promise((resolve) => setTimeout(resolve, 300))
    await applyUserRegistered(app.db, event)

    const response = await pending
    const elapsed = Date.now() - started
    expect(response.statusCode).toBe(200)
    expect(response.json().userId).toBe(event.data.userId)
    expect(elapsed).toBeGreaterThanOrEqual(300)
    expect(elapsed).toBeLessThan(2000)
  })

  it('gives up with 404 when the wait runs out', async () => {
    const app = await start()
    const started = Date.now()
    const response = await app.inject({ url: `/profile/${randomUUID()}?waitMs=400` })
    expect(response.statusCode).toBe(404)
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
  })

  it('serves health, readiness and the OpenAPI document', async () => {
    const app = await start()
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200)
    const ready = await app.inject({ url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks.database.ok).toBe(true)
    const openapi = (await app.inject({ url: '/openapi.json' })).json()
    expect(Object.keys(openapi.paths)).toContain('/profile/{id}')
  })
})
