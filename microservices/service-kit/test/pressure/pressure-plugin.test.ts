import { PROBLEM_CONTENT_TYPE } from '@kafka-ref/shared-contracts'
import { waitFor } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { createBaseApp, type PressureOptions, registerHealth, type ZodFastify } from '../../src/index.ts'

let app: ZodFastify | undefined
afterEach(() => app?.close())

async function appUnder(pressure: PressureOptions) {
  app = await createBaseApp({
    name: 'pressure-test',
    version: '0',
    description: '',
    logger: { level: 'silent' },
    corsOrigins: [],
    metrics: { port: 0 },
    pressure,
  })
  app.get('/work', async () => ({ done: true }))
  registerHealth(app, { checks: {}, intervalMs: 50 })
  await app.ready()
  return app
}

describe('under pressure', () => {
  it('answers 503 SERVICE_OVERLOADED with Retry-After, but stays live and scrapeable', async () => {
    // Any heap in use is over a ratio this small: the process is "under pressure" from the first sample.
    const app = await appUnder({ maxEventLoopDelayMs: 0, maxHeapUsedRatio: 1e-9, retryAfterSeconds: 7 })
    const response = await waitFor(
      async () => {
        const answer = await app.inject({ url: '/work' })
        return answer.statusCode === 503 && answer
      },
      { description: 'the first sample (after a second)' },
    )
    expect(response.headers['retry-after']).toBe('7')
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
    expect(response.json()).toMatchObject({ status: 503, code: 'SERVICE_OVERLOADED' })
    // Readiness says why (at its next refresh), so a load balancer sends new traffic elsewhere until
    // it recovers.
    const ready = await waitFor(
      async () => {
        const answer = await app.inject({ url: '/health/ready' })
        return answer.statusCode === 503 && answer
      },
      { description: 'readiness refreshed' },
    )
    expect(ready.json().checks.pressure).toMatchObject({ ok: false })
    expect(ready.json().checks.pressure.heapUsed).toBeGreaterThan(0)
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200)
  })

  it('serves normally below the thresholds', async () => {
    const app = await appUnder({ maxEventLoopDelayMs: 1000, maxHeapUsedRatio: 0.99, retryAfterSeconds: 7 })
    // Past the first sample, so the thresholds are checked against real values.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect((await app.inject({ url: '/work' })).statusCode).toBe(200)
    const ready = await app.inject({ url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks.pressure).toMatchObject({ ok: true })
  })
})
