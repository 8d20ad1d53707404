import { DEFAULT_PARTITIONS } from '@kafka-ref/shared-contracts'
import type { ServiceProcess } from '@kafka-ref/system'
import {
  jsonLines,
  register,
  startService,
  startWorld,
  useHarness,
  userRequests,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

const USERS = 200

/** The partitions an instance holds now, as its readiness check reports them. */
async function assignedPartitions(service: ServiceProcess): Promise<number[]> {
  const response = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(5_000) })
  const body = (await response.json()) as { checks: { consumer?: { partitions?: number[] } } }
  return [...(body.checks.consumer?.partitions ?? [])].sort((x, y) => x - y)
}

/** User ids whose event this instance applied as new (from its own log). */
function createdBy(service: ServiceProcess): string[] {
  return jsonLines(service)
    .filter((line) => line.result === 'created' && typeof line.userId === 'string')
    .map((line) => line.userId as string)
}

describe('two profile-service instances in one consumer group', () => {
  const harness = useHarness()

  it('split the partitions and create every profile exactly once', { timeout: 120_000 }, async () => {
    const {
      world,
      db,
      userService,
      profileService: first,
    } = await startWorld(harness, { profileServiceLabel: 'profile-service#1' })
    // Ready means "holds partitions", so this returns once the group has rebalanced onto both.
    const second = await startService(harness, world, 'profile-service', { label: 'profile-service#2' })

    const split = await waitFor(
      async () => {
        const [a, b] = await Promise.all([assignedPartitions(first), assignedPartitions(second)])
        const all = [...a, ...b]
        const complete = all.length === DEFAULT_PARTITIONS && new Set(all).size === DEFAULT_PARTITIONS
        return a.length > 0 && b.length > 0 && complete && { first: a, second: b }
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'partitions split between both instances' },
    )

    const results = await Promise.all(
      userRequests(USERS).map((request) => register(userService.url, request)),
    )
    expect(results.map((result) => result.status)).toEqual(Array(USERS).fill(201))

    const counts = await db.settledProfileCounts(USERS, 60_000)
    expect(counts).toEqual({ profiles: USERS, distinctUsers: USERS, processedEvents: USERS })
    expect(await db.profileUserIds()).toEqual(await db.userIds())
    expect(await db.processedEventIds()).toEqual(await db.outboxEventIds())

    // Both did real work, and no profile was created by both.
    const [byFirst, bySecond] = [createdBy(first), createdBy(second)]
    expect(byFirst.length).toBeGreaterThan(0)
    expect(bySecond.length).toBeGreaterThan(0)
    expect(byFirst.length + bySecond.length).toBe(USERS)
    expect(new Set([...byFirst, ...bySecond]).size).toBe(USERS)
    console.log(
      `[consumer-group] partitions ${split.first} / ${split.second}; profiles ${byFirst.length} / ${bySecond.length}`,
    )
  })
})
