import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestBaseApp } from '../helpers.ts'

const LIMIT = 20

let app: FastifyInstance | undefined
afterEach(() => app?.close())

/** One route allowing LIMIT requests per client per minute. */
async function limitedApp(options: Parameters<typeof createTestBaseApp>[0] = {}) {
  app = await createTestBaseApp(options)
  app.get('/limited', { config: { rateLimit: { max: LIMIT, timeWindow: 60_000 } } }, async () => ({}))
  await app.ready()
  return app
}

const call = (target: FastifyInstance, remoteAddress: string, forwardedFor?: string) =>
  target.inject({
    url: '/limited',
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  })

/** Distinct addresses of 2001:db8:1:2::/64, each with its own random interface id. */
function addressesOfOneSlash64(count: number): string[] {
  const group = () => Math.floor(Math.random() * 0x10000).toString(16)
  return Array.from(
    { length: count },
    (_, i) => `2001:db8:1:2:${group()}:${group()}:${group()}:${i.toString(16)}`,
  )
}

/**
 * The rate limit's bucket is the client's network, not its address: @fastify/rate-limit's key
 * (`ipv6Subnet`) masks an IPv6 address to its /64 (what one host or home is given, so a single
 * machine has 2^64 addresses to spread requests over) and an IPv4-mapped one to the IPv4 address.
 * Pinned here, so a version of the library that changes it fails.
 */
describe('rate limit by client network', () => {
  it('300 requests from distinct addresses of one /64 share one bucket; a client elsewhere is served', async () => {
    const target = await limitedApp()
    const statuses: number[] = []
    for (const address of addressesOfOneSlash64(300)) statuses.push((await call(target, address)).statusCode)
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200))
    expect(new Set(statuses.slice(LIMIT))).toEqual(new Set([429]))

    expect((await call(target, '2001:db8:1:3::1')).statusCode).toBe(200)
    expect((await call(target, '198.51.100.7')).statusCode).toBe(200)
  })

  it('counts an IPv4-mapped address in its IPv4 bucket', async () => {
    const target = await limitedApp()
    for (let i = 0; i < LIMIT; i++) expect((await call(target, '198.51.100.7')).statusCode).toBe(200)
    expect((await call(target, '::ffff:198.51.100.7')).statusCode).toBe(429)
    expect((await call(target, '198.51.100.8')).statusCode).toBe(200)
  })

  it('takes the prefix length from the options (RATE_LIMIT_IPV6_PREFIX)', async () => {
    const target = await limitedApp({ rateLimit: { ipv6PrefixLength: 48 } })
    // Twenty /64s of one /48: one bucket.
    for (let i = 0; i < LIMIT; i++)
      expect((await call(target, `2001:db8:1:${i.toString(16)}::1`)).statusCode).toBe(200)
    expect((await call(target, '2001:db8:1:ffff::1')).statusCode).toBe(429)
    expect((await call(target, '2001:db8:2::1')).statusCode).toBe(200)
  })

  it('behind a trusted proxy, keys the forwarded IPv6 client by its /64', async () => {
    const proxy = '10.0.0.7'
    const target = await limitedApp({ trustProxy: [proxy] })
    const statuses: number[] = []
    for (const address of addressesOfOneSlash64(LIMIT + 5))
      statuses.push((await call(target, proxy, address)).statusCode)
    expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(5).fill(429)])
    expect((await call(target, proxy, '2001:db8:9::1')).statusCode).toBe(200)
  })
})
