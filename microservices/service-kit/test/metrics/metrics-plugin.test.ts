import { LogCapture, scrapeMetrics } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { createBaseApp, createCounter, registerHealth, type ZodFastify } from '../../src/index.ts'

let apps: ZodFastify[] = []
afterEach(async () => {
  await Promise.all(apps.map((app) => app.close()))
  apps = []
})

async function appWithMetrics(port = 0, logs = new LogCapture()) {
  const app = await createBaseApp({
    name: 'metrics-test',
    version: '0',
    description: '',
    logger: { level: 'info', stream: logs.stream },
    corsOrigins: [],
    metrics: { port },
  })
  apps.push(app)
  app.get('/things/:id', { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, async () => ({}))
  registerHealth(app, { checks: {}, intervalMs: 60_000 })
  return app
}

describe('metrics', () => {
  it('serves request durations by route template and status, and the process metrics, at /metrics', async () => {
    const app = await appWithMetrics()
    await app.ready()
    await app.inject({ url: '/things/1' })
    await app.inject({ url: '/things/2' })
    await app.inject({ url: '/nowhere' })

    const scrape = await scrapeMetrics(app)
    const labels = { method: 'GET', route: '/things/:id' }
    expect(scrape.value('http_request_duration_seconds_count', { ...labels, status_code: '200' })).toBe(1)
    expect(scrape.value('http_request_duration_seconds_count', { ...labels, status_code: '429' })).toBe(1)
    // Unknown routes are not a label value each (cardinality), and scrapes do not count themselves.
    expect(scrape.text).not.toContain('/nowhere')
    expect(scrape.text).not.toContain('route="/metrics"')
    expect(scrape.value('process_cpu_user_seconds_total')).toBeGreaterThan(0)
    expect(scrape.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
  })

  it('is neither rate-limited nor logged', async () => {
    const logs = new LogCapture()
    const app = await appWithMetrics(0, logs)
    await app.ready()
    const statuses = []
    for (let i = 0; i < 30; i++) statuses.push((await app.inject({ url: '/metrics' })).statusCode)
    expect(new Set(statuses)).toEqual(new Set([200]))
    await app.inject({ url: '/health/live' })
    expect(logs.lines.some((line) => line.includes('/metrics'))).toBe(false)
  })

  it("keeps each app's metrics apart (several apps in one process)", async () => {
    const [first, second] = [await appWithMetrics(), await appWithMetrics()]
    createCounter(first.metricsRegistry, {
      type: 'counter',
      name: 'kafka_ref_test_things_total',
      help: 'things',
      labelNames: [],
    }).inc(3)
    await Promise.all([first.ready(), second.ready()])
    expect((await scrapeMetrics(first)).value('kafka_ref_test_things_total')).toBe(3)
    expect((await scrapeMetrics(second)).value('kafka_ref_test_things_total')).toBeUndefined()
  })
})
