import { randomUUID } from 'node:crypto'
import type { RegisterUserRequest } from '@kafka-ref/shared-contracts'
import {
  createWorld,
  Databases,
  getProfile,
  proxiedUrl,
  register,
  startService,
  useHarness,
  userRequests,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

/** Short timeouts, so the test takes seconds; the query timeout above the statement timeout. */
const TIMEOUTS = {
  DATABASE_STATEMENT_TIMEOUT_MS: '1000',
  DATABASE_QUERY_TIMEOUT_MS: '2000',
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '2000',
}
const QUERY_TIMEOUT_MS = Number(TIMEOUTS.DATABASE_QUERY_TIMEOUT_MS)
/** The bound: the relay and the consumer go on within 30 s of the silence. */
const RECOVERY_MS = 30_000
/** What two shared cores may add to a bound measured here. */
const MARGIN_MS = 3_000

/** How long `work` took and what it answered. */
async function timed<T>(work: Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now()
  const result = await work
  return { result, ms: performance.now() - started }
}

/** Registers each user, retrying a `503` (a silenced connection) until `deadline`. */
async function registerAll(url: string, requests: RegisterUserRequest[], deadline: number) {
  for (const request of requests) {
    for (;;) {
      const { status } = await register(url, request)
      if (status === 201) break
      expect(status).toBe(503)
      if (performance.now() > deadline) throw new Error(`registration still refused after the deadline`)
    }
  }
}

describe('PostgreSQL connections silenced mid-run (a NAT that dropped the flows, a failover)', () => {
  const harness = useHarness()

  it('the relay and the consumer go on over new connections within 30 s; a read on a silenced connection answers 503 within the query timeout', {
    timeout: 180_000,
  }, async () => {
    const world = await createWorld()
    const db = harness.track(new Databases(world))
    // One proxy in front of each service's database: every pool and the LISTEN connection pass it.
    const users = await proxiedUrl(world.userDatabaseUrl)
    const profiles = await proxiedUrl(world.profileDatabaseUrl)
    harness.track(users.proxy)
    harness.track(profiles.proxy)
    const [userService, profileService] = await Promise.all([
      startService(harness, world, 'user-service', { env: { ...TIMEOUTS, DATABASE_URL: users.url } }),
      startService(harness, world, 'profile-service', { env: { ...TIMEOUTS, DATABASE_URL: profiles.url } }),
    ])

    // Running: registrations become profiles, through the relay's and the consumer's connections.
    const before = userRequests(20)
    await registerAll(userService.url, before, Number.POSITIVE_INFINITY)
    await db.settledProfileCounts(before.length, 30_000)
    // Reads at once leave several connections idle in the read pool.
    const reads = await Promise.all(
      Array.from({ length: 5 }, () => getProfile(profileService.url, randomUUID())),
    )
    expect(reads.map((read) => read.status)).toEqual(Array(5).fill(404))

    const silencedAt = performance.now()
    const silenced = {
      users: users.proxy.silenceOpenConnections(),
      profiles: profiles.proxy.silenceOpenConnections(),
    }
    const accepted = { users: users.proxy.accepted, profiles: profiles.proxy.accepted }
    // The registration pool and the relay's; the read pool, the consumer's and the LISTEN connection.
    expect(silenced.users).toBeGreaterThanOrEqual(2)
    expect(silenced.profiles).toBeGreaterThanOrEqual(3)

    // A read taken on a silenced connection: 503 within the query timeout, not after the OS's ~15 min.
    const read = await timed(getProfile(profileService.url, randomUUID()))
    expect(read.result.status).toBe(503)
    expect(read.result.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE' })
    expect(read.result.headers.get('retry-after')).toBe('5')
    expect(read.ms).toBeLessThan(QUERY_TIMEOUT_MS + MARGIN_MS)
    // Tried again: a new connection (the silenced ones are retired), so the answer comes at once.
    const retry = await timed(getProfile(profileService.url, randomUUID()))
    expect(retry.result.status).toBe(404)
    expect(retry.ms).toBeLessThan(QUERY_TIMEOUT_MS)

    // Registrations after the silence still become profiles, within 30 s of it.
    const after = userRequests(20)
    await registerAll(userService.url, after, silencedAt + RECOVERY_MS)
    const total = before.length + after.length
    await waitFor(async () => (await db.profileCounts()).profiles === total, {
      timeoutMs: Math.max(0, silencedAt + RECOVERY_MS - performance.now()),
      intervalMs: 100,
      description: `the ${after.length} registrations made after the silence stored as profiles within ${RECOVERY_MS} ms of it`,
    })
    console.log(
      `[silent-database] silenced ${silenced.users} + ${silenced.profiles} connections; all ${after.length} later registrations were profiles ${Math.round(performance.now() - silencedAt)} ms after the silence`,
    )
    expect(await db.profileCounts()).toEqual({
      profiles: total,
      distinctUsers: total,
      processedEvents: total,
    })
    expect(users.proxy.accepted).toBeGreaterThan(accepted.users)
    expect(profiles.proxy.accepted).toBeGreaterThan(accepted.profiles)
    expect([userService.running, profileService.running]).toEqual([true, true])
  })
})
