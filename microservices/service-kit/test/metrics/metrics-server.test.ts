import { freePort } from '@kafka-ref/local-servers'
import { scrapeMetrics } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { listenMetrics, type MetricsServer, type ZodFastify } from '../../src/index.ts'
import { createTestBaseApp } from '../helpers.ts'

let app: ZodFastify | undefined
let server: MetricsServer | undefined
afterEach(async () => {
  await server?.close()
  await app?.close()
})

describe('metrics on a port of their own (METRICS_PORT)', () => {
  it('the app serves no /metrics; the listener the entry point opens serves its registry, until closed', async () => {
    const port = await freePort()
    app = await createTestBaseApp({ metrics: { port } })
    app.get('/things', async () => ({}))
    await app.ready()
    await app.inject({ url: '/things' })
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404)

    server = await listenMetrics(app, { host: '127.0.0.1', port })
    expect(server.port).toBe(port)
    const scrape = await scrapeMetrics(`http://127.0.0.1:${port}`)
    expect(
      scrape.value('http_request_duration_seconds_count', {
        method: 'GET',
        route: '/things',
        status_code: '200',
      }),
    ).toBe(1)
    expect(scrape.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)

    await server.close()
    server = undefined
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow()
  })
})
