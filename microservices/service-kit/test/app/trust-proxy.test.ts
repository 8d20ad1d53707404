import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestBaseApp } from '../helpers.ts'

const PROXY = '10.0.0.7'
const CLIENT_A = '198.51.100.1'
const CLIENT_B = '198.51.100.2'

let app: FastifyInstance | undefined
afterEach(() => app?.close())

/** One route allowing one request per client per minute, and reporting whom it saw. */
async function rateLimitedApp(trustProxy: false | readonly string[]) {
  app = await createTestBaseApp({ trustProxy })
  app.get('/limited', { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, async (request) => ({
    ip: request.ip,
  }))
  await app.ready()
  return app
}

const call = (target: FastifyInstance, remoteAddress: string, forwardedFor?: string) =>
  target.inject({
    url: '/limited',
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  })

describe('client address behind a proxy (TRUST_PROXY)', () => {
  it('off: a spoofed X-Forwarded-For neither changes the client address nor escapes the limit', async () => {
    const target = await rateLimitedApp(false)
    const first = await call(target, CLIENT_A, '203.0.113.1')
    expect(first.json()).toEqual({ ip: CLIENT_A })
    const second = await call(target, CLIENT_A, '203.0.113.2')
    expect(second.statusCode).toBe(429)
  })

  it('a trusted proxy: the clients behind it get separate buckets', async () => {
    const target = await rateLimitedApp([PROXY])
    const a = await call(target, PROXY, CLIENT_A)
    const b = await call(target, PROXY, CLIENT_B)
    expect([a.statusCode, b.statusCode]).toEqual([200, 200])
    expect([a.json().ip, b.json().ip]).toEqual([CLIENT_A, CLIENT_B])
    expect((await call(target, PROXY, CLIENT_A)).statusCode).toBe(429)
  })

  it('a trusted CIDR: the nearest untrusted address is the client, not what the client claims', async () => {
    const target = await rateLimitedApp(['10.0.0.0/8'])
    const viaTwoProxies = await call(target, PROXY, `203.0.113.9, ${CLIENT_A}, 10.1.2.3`)
    expect(viaTwoProxies.json()).toEqual({ ip: CLIENT_A })
  })

  it('a direct client that is not a trusted proxy cannot spoof its address', async () => {
    const target = await rateLimitedApp([PROXY])
    expect((await call(target, CLIENT_A, '203.0.113.1')).json()).toEqual({ ip: CLIENT_A })
    expect((await call(target, CLIENT_A, '203.0.113.2')).statusCode).toBe(429)
  })
})
