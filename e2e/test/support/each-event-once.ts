import { type Databases, type ProfileCounts, waitFor } from '@kafka-ref/testkit'
import { expect } from 'vitest'

/**
 * Every one of `count` registrations became exactly one profile: the counts settle at `count`, the
 * profiles are the users', each outbox event was applied once, and the outbox is empty.
 */
export async function expectEachEventOnce(
  db: Databases,
  count: number,
  timeoutMs = 90_000,
): Promise<ProfileCounts> {
  const counts = await db.settledProfileCounts(count, timeoutMs)
  expect(counts).toEqual({ profiles: count, distinctUsers: count, processedEvents: count })
  expect(await db.profileUserIds()).toEqual(await db.userIds())
  expect(await db.processedEventIds()).toEqual(await db.outboxEventIds())
  await waitFor(async () => (await db.pendingOutbox()) === 0, { description: 'an empty outbox backlog' })
  return counts
}
