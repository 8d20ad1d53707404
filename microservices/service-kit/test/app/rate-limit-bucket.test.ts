import { addressesOfOneSlash64 } from '@kafka-ref/testkit'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import type { BaseAppOptions } from '../../src/index.ts'
import { createTestBaseApp } from '../helpers.ts'

const PROXY = '10.0.0.7'
const CLIENT_A = '198.51.100.1'
const CLIENT_B = '198.51.100.2'

let app: FastifyInstance | undefined
afterEach(() => app?.close())

/** One route allowing `max` requests per client per minute, and reporting whom it saw. */
async function rateLimitedApp(
  trustProxy: false | readonly string[],
  max = 1,
  options: Partial<BaseAppOptions> = {},
) {
  app = await createTestBaseApp({ trustProxy, ...options })
  app.get('/limited', { config: { rateLimit: { max, timeWindow: 60_000 } } }, async (request) => ({
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

const LIMIT = 20

/**
 * The rate limit's bucket is the client's network, not its address: @fastify/rate-limit's key
 * (`ipv6Subnet`) masks an IPv6 address to its /64 (what one host or home is given, so a single
 * machine has 2^64 addresses to spread requests over) and an IPv4-mapped one to the IPv4 address.
 * Pinned here, so a version of the library that changes it fails.
 */
describe('rate limit by client network', () => {
  it('300 requests from distinct addresses of one /64 share one bucket; a client elsewhere is served', async () => {
    const target = await rateLimitedApp(false, LIMIT)
    const statuses: number[] = []
    for (const address of addressesOfOneSlash64(300)) statuses.push((await call(target, address)).statusCode)
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200))
    expect(new Set(statuses.slice(LIMIT))).toEqual(new Set([429]))

    expect((await call(target, '2001:db8:1:3::1')).statusCode).toBe(200)
    expect((await call(target, CLIENT_A)).statusCode).toBe(200)
  })

  it('counts an IPv4-mapped address in its IPv4 bucket', async () => {
    const target = await rateLimitedApp(false, LIMIT)
    for (let i = 0; i < LIMIT; i++) expect((await call(target, CLIENT_A)).statusCode).toBe(200)
    expect((await call(target, `::ffff:${CLIENT_A}`)).statusCode).toBe(429)
    expect((await call(target, CLIENT_B)).statusCode).toBe(200)
  })

  it('takes the prefix length from the options (RATE_LIMIT_IPV6_PREFIX)', async () => {
    const target = await rateLimitedApp(false, LIMIT, { rateLimit: { ipv6PrefixLength: 48 } })
    // Twenty /64s of one /48: one bucket.
    for (let i = 0; i < LIMIT; i++)
      expect((await call(target, `2001:db8:1:${i.toString(16)}::1`)).statusCode).toBe(200)
    expect((await call(target, '2001:db8:1:ffff::1')).statusCode).toBe(429)
    expect((await call(target, '2001:db8:2::1')).statusCode).toBe(200)
  })

  it('behind a trusted proxy, keys the forwarded IPv6 client by its /64', async () => {
    const target = await rateLimitedApp([PROXY], LIMIT)
    const statuses: number[] = []
    for (const address of addressesOfOneSlash64(LIMIT + 5))
      statuses.push((await call(target, PROXY, address)).statusCode)
    expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(5).fill(429)])
    expect((await call(target, PROXY, '2001:db8:9::1')).statusCode).toBe(200)
  })
})
