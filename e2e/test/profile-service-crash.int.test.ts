import { registerPaced, startWorld, useHarness, userRequests, waitFor } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

const USERS = 300
const PER_SECOND = 50

describe('profile-service killed -9 mid-stream', () => {
  const harness = useHarness()

  it('loses no event and duplicates no profile across the crash and restart', {
    timeout: 150_000,
  }, async () => {
    const { db, userService, profileService } = await startWorld(harness)

    // ~6 s of steady traffic; the crash happens inside it.
    const registering = registerPaced(userService.url, userRequests(USERS), PER_SECOND)
    await waitFor(async () => (await db.profileCounts()).profiles >= USERS / 10, {
      timeoutMs: 30_000,
      intervalMs: 20,
      description: 'profiles being created',
    })
    await profileService.kill()
    expect(profileService.exit?.signal).toBe('SIGKILL')
    const atCrash = { users: await db.userCount(), profiles: (await db.profileCounts()).profiles }
    // Mid-stream: registrations (so events) were still coming when it died.
    expect(atCrash.users).toBeLessThan(USERS)

    // Events keep arriving while nothing consumes them: a second's worth of them before the restart.
    const whileDown = Math.min(USERS, atCrash.users + PER_SECOND)
    await waitFor(async () => (await db.userCount()) >= whileDown, {
      timeoutMs: 30_000,
      intervalMs: 20,
      description: `${whileDown - atCrash.users} registrations while the profile-service is down`,
    })
    const restartedAt = Date.now()
    await profileService.start()
    const readyAfterMs = Date.now() - restartedAt

    const results = await registering
    expect(results.map((result) => result.status)).toEqual(Array(USERS).fill(201))
    expect(await db.userCount()).toBe(USERS)

    const counts = await db.settledProfileCounts(USERS, 90_000)
    expect(counts).toEqual({ profiles: USERS, distinctUsers: USERS, processedEvents: USERS })
    expect(await db.profileUserIds()).toEqual(await db.userIds())
    expect(await db.processedEventIds()).toEqual(await db.outboxEventIds())
    console.log(
      `[profile-crash] killed at ${atCrash.profiles}/${atCrash.users} profiles/users; ready again (holding partitions) ${readyAfterMs} ms after restart`,
    )
  })
})
