import { afterEach, describe, expect, it } from 'vitest'
import { type HealthCheck, registerHealth, type ZodFastify } from '../../src/index.ts'
import { createTestBaseApp } from '../helpers.ts'

let app: ZodFastify
afterEach(() => app?.close())

async function appWith(checks: Record<string, HealthCheck>) {
  app = await createTestBaseApp()
  registerHealth(app, { checks })
  await app.ready()
  return app
}

describe('registerHealth', () => {
  it('is ready when every check passes, with their details', async () => {
    await appWith({ database: async () => ({ ok: true }), backlog: async () => ({ ok: true, pending: 3 }) })
    const response = await app.inject({ url: '/health/ready' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      status: 'ok',
      checks: { database: { ok: true }, backlog: { ok: true, pending: 3 } },
    })
  })

  it('is unavailable (503) when a check fails or throws, but stays live', async () => {
    await appWith({
      database: async () => ({ ok: false }),
      kafka: async () => {
        throw new Error('broker unreachable')
      },
    })
    const ready = await app.inject({ url: '/health/ready' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json().checks.kafka).toEqual({ ok: false, error: 'broker unreachable' })
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200)
  })
})
