import { LogCapture, waitFor } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { CHECK_FAILED, type HealthCheck, registerHealth, type ZodFastify } from '../../src/index.ts'
import { createTestBaseApp } from '../helpers.ts'

let app: ZodFastify
afterEach(() => app?.close())

/** A refresh interval no test waits out: a check runs once, when the app gets ready. */
const ONCE = 600_000

async function appWith(checks: Record<string, HealthCheck>, intervalMs = ONCE, logs?: LogCapture) {
  app = await createTestBaseApp(logs ? { logger: { level: 'info', stream: logs.stream } } : {})
  registerHealth(app, { checks, intervalMs })
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

  it('is unavailable (503) when a check fails or throws, but stays live; what was thrown is logged, not shown', async () => {
    const logs = new LogCapture()
    const internals = 'connect ECONNREFUSED kafka-0.brokers.internal:9092 (topic prod.user_register)'
    await appWith(
      {
        database: async () => ({ ok: false }),
        kafka: async () => {
          throw new Error(internals)
        },
      },
      ONCE,
      logs,
    )
    const ready = await app.inject({ url: '/health/ready' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json().checks).toEqual({
      database: { ok: false },
      kafka: { ok: false, error: CHECK_FAILED },
    })
    expect(ready.body).not.toContain('internal')
    expect(ready.body).not.toContain('ECONNREFUSED')
    expect(logs.text()).toContain(internals)
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200)
  })

  it('answers from the last refresh: probes run no check, however many there are', async () => {
    let runs = 0
    await appWith({
      database: async () => {
        runs += 1
        return { ok: true, runs }
      },
    })
    const answers = await Promise.all(Array.from({ length: 100 }, () => app.inject({ url: '/health/ready' })))
    expect(new Set(answers.map((answer) => answer.statusCode))).toEqual(new Set([200]))
    expect(runs).toBe(1)
    expect(answers[99]!.json().checks.database).toEqual({ ok: true, runs: 1 })
  })

  it('refreshes on its interval, one run at a time', async () => {
    let healthy = true
    let running = 0
    let overlapped = false
    await appWith(
      {
        database: async () => {
          running += 1
          overlapped ||= running > 1
          // A check slower than the interval: the next run waits for it.
          await new Promise((resolve) => setTimeout(resolve, 30))
          running -= 1
          return { ok: healthy }
        },
      },
      10,
    )
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200)
    healthy = false
    await waitFor(async () => (await app.inject({ url: '/health/ready' })).statusCode === 503, {
      description: 'readiness following the check',
    })
    healthy = true
    await waitFor(async () => (await app.inject({ url: '/health/ready' })).statusCode === 200, {
      description: 'readiness back',
    })
    expect(overlapped).toBe(false)
  })
})
