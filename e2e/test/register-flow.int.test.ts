import { randomUUID } from 'node:crypto'
import { startSystem } from '@kafka-ref/system'
import {
  createWorld,
  Databases,
  getProfile,
  jsonLines,
  register,
  systemOptionsFor,
  trackService,
  useHarness,
  userRequests,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

// The one-command run (`pnpm dev`) goes through startSystem; so does this test.
describe('register → profile, through startSystem', () => {
  const harness = useHarness()

  it('serves the profile of a registered user and traces the request id through both services', {
    timeout: 120_000,
  }, async () => {
    // startSystem creates the topics itself, as `pnpm dev` does.
    const world = await createWorld({ createTopics: false })
    const db = harness.track(new Databases(world))
    const system = await startSystem({
      ...systemOptionsFor(world),
      onInstance: (instance) => trackService(harness, instance),
    })
    harness.defer(() => system.stop())
    const userService = system.service('user-service').instances[0]!
    const profileService = system.service('profile-service').instances[0]!
    // Given brokers and databases, it starts neither a broker nor a PostgreSQL server of its own.
    expect(system.kafka).toBeUndefined()
    expect(system.postgres).toBeUndefined()

    const requestId = `e2e-${randomUUID()}`
    const [request] = userRequests(1)
    const registered = await register(userService.url, request!, requestId)
    expect(registered.status).toBe(201)
    expect(registered.headers.get('x-request-id')).toBe(requestId)
    const userId = registered.body.id

    const profile = await getProfile(profileService.url, userId, 10_000)
    expect(profile.status).toBe(200)
    expect(profile.body).toEqual({
      userId,
      username: request!.username,
      displayName: request!.displayName,
      // The user-service writes user_register v1 by default, which has no locale.
      locale: 'und',
      createdAt: expect.any(String),
    })
    expect((await getProfile(profileService.url, randomUUID())).status).toBe(404)

    // The request id became the event's correlation id...
    const { rows } = await db.users.query<{ correlationid: string }>(
      `select value::jsonb->>'correlationid' as correlationid from outbox where key = $1`,
      [userId],
    )
    expect(rows).toEqual([{ correlationid: requestId }])
    // ...and each service logged its part of the work under it.
    // Log lines travel through a pipe: they may land a moment after the HTTP answer.
    const userLog = await waitFor(
      () => jsonLines(userService).find((line) => line.reqId === requestId && line.userId === userId),
      { timeoutMs: 5_000, description: 'user-service log line with the request id' },
    )
    expect(userLog).toMatchObject({ reqId: requestId, userId })
    const profileLog = await waitFor(
      () =>
        jsonLines(profileService).find((line) => line.correlationId === requestId && line.userId === userId),
      { timeoutMs: 5_000, description: 'profile-service log line with the correlation id' },
    )
    expect(profileLog).toMatchObject({ correlationId: requestId, userId })

    // stop() is what Ctrl-C in `pnpm dev` runs: both services must shut down cleanly, not be killed.
    await system.stop()
    for (const service of [userService, profileService]) {
      expect(service.running, service.label).toBe(false)
      expect(service.exit, service.label).toEqual({ code: 0, signal: null })
      await expect(fetch(`${service.url}/health/live`), service.label).rejects.toThrow()
    }
  })
})
