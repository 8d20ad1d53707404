import type { ZodFastify } from '@kafka-ref/service-kit'
import { waitFor } from '@kafka-ref/testkit'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, register, registration, startApp, type TestContext } from './helpers.ts'

let context: TestContext
const apps: ZodFastify[] = []
async function start(env: Record<string, string> = {}) {
  const app = await startApp({ ...context.env, ...env })
  apps.push(app)
  return app
}

beforeAll(async () => {
  context = await createTestContext()
})
afterEach(async () => {
  await Promise.allSettled(apps.splice(0).map((app) => app.close()))
})

describe('operations', () => {
  it('serves liveness and readiness with the outbox backlog', async () => {
    const app = await start()
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
    expect((await register(app, registration())).statusCode).toBe(201)

    // The backlog as counted at the next refresh.
    const ready = await waitFor(async () => {
      const answer = await app.inject({ method: 'GET', url: '/health/ready' })
      return answer.json().checks.outbox.backlog === 1 && answer
    })
    expect(ready.statusCode).toBe(200)
    const { checks } = ready.json()
    expect(checks.database).toEqual({ ok: true })
    expect(checks.outbox).toMatchObject({ ok: true, relayEnabled: false, backlog: 1 })
    expect(checks.outbox.oldestAgeMs).toBeGreaterThanOrEqual(0)
  })

  it('starts and takes registrations while Kafka is unreachable', async () => {
    // Nothing listens on port 9: every connection is refused.
    const app = await start({ KAFKA_BROKERS: '127.0.0.1:9', OUTBOX_ENABLED: 'true' })
    const response = await register(app, registration())
    expect(response.statusCode).toBe(201)

    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks.outbox).toMatchObject({ producerConnected: false, relayEnabled: true })
    const closing = performance.now()
    await app.close()
    apps.pop()
    // The relay is retrying; shutdown must not wait for Kafka.
    expect(performance.now() - closing).toBeLessThan(5000)
  })

  it('reports unavailable when the database is gone', async () => {
    const app = await start()
    await app.db.destroy()
    const ready = await waitFor(async () => {
      const answer = await app.inject({ method: 'GET', url: '/health/ready' })
      return answer.statusCode !== 200 && answer
    })
    expect(ready.statusCode).toBe(503)
    expect(ready.json().checks.database.ok).toBe(false)
  })

  it('publishes OpenAPI 3 and the docs UI', async () => {
    const app = await start()
    const spec = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(spec.statusCode).toBe(200)
    expect(spec.json().openapi).toMatch(/^3\./)
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/user/register', '/user/{id}']))
    const docs = await app.inject({ method: 'GET', url: '/docs' })
    expect([200, 302]).toContain(docs.statusCode)
  })

  it('allows only the configured CORS origins', async () => {
    const app = await start({ CORS_ORIGINS: 'https://app.example.org' })
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/user/register',
        headers: { origin, 'access-control-request-method': 'POST' },
      })
    const allowed = await preflight('https://app.example.org')
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.org')
    const denied = await preflight('https://evil.example.com')
    expect(denied.headers['access-control-allow-origin']).toBeUndefined()
  })
})
