import { LogCapture } from '@kafka-ref/testkit'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp } from '../helpers.ts'

let app: FastifyInstance
afterEach(() => app?.close())

describe('createBaseApp', () => {
  it('keeps a valid caller request id and echoes it', async () => {
    app = await buildTestApp()
    const response = await app.inject({ url: '/teapot', headers: { 'x-request-id': 'trace-123' } })
    expect(response.headers['x-request-id']).toBe('trace-123')
  })

  it('replaces an unsafe request id with a UUID', async () => {
    app = await buildTestApp()
    const response = await app.inject({ url: '/teapot', headers: { 'x-request-id': 'bad id\nwith newline' } })
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('serves OpenAPI 3 generated from the zod schemas, and the docs UI', async () => {
    app = await buildTestApp()
    const spec = (await app.inject({ url: '/openapi.json' })).json()
    expect(spec.openapi).toMatch(/^3\./)
    expect(spec.paths['/things/{id}'].post.requestBody.content['application/json'].schema.required).toEqual([
      'name',
      'password',
    ])
    expect((await app.inject({ url: '/docs' })).statusCode).toBeLessThan(400)
  })

  it('allows only configured CORS origins', async () => {
    app = await buildTestApp()
    const allowed = await app.inject({ url: '/teapot', headers: { origin: 'http://frontend.test' } })
    expect(allowed.headers['access-control-allow-origin']).toBe('http://frontend.test')
    const other = await app.inject({ url: '/teapot', headers: { origin: 'http://evil.test' } })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('lets an allowed page read Retry-After, Location and the request id', async () => {
    // Outside the CORS-safelisted response headers a browser hides every header not exposed, so
    // a page could not say when to retry a 429/503.
    app = await buildTestApp()
    const response = await app.inject({ url: '/teapot', headers: { origin: 'http://frontend.test' } })
    const exposed = String(response.headers['access-control-expose-headers'])
      .toLowerCase()
      .split(/\s*,\s*/)
    expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'location', 'x-request-id']))
  })

  it('never writes a password to the logs', async () => {
    const log = new LogCapture()
    app = await buildTestApp(log)
    app.log.info({ body: { password: 'hunter2-secret' }, password: 'hunter2-secret' }, 'careless')
    expect(log.text()).toContain('careless')
    expect(log.text()).not.toContain('hunter2-secret')
  })
})

describe('error serialization', () => {
  it('logs an error without the objects it carries', async () => {
    const log = new LogCapture()
    app = await buildTestApp(log)
    const error = Object.assign(new Error('connection terminated'), {
      code: '57P01',
      client: { connectionParameters: { password: 'db-secret-password' } },
    })
    app.log.warn({ err: error }, 'idle database connection failed')
    const line = JSON.parse(log.lines.at(-1)!)
    expect(line.err).toMatchObject({ type: 'Error', message: 'connection terminated', code: '57P01' })
    expect(log.text()).not.toContain('db-secret-password')
  })
})
