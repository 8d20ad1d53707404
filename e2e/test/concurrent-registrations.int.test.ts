import { PROBLEM_CONTENT_TYPE } from '@kafka-ref/shared-contracts'
import { register, sortedIds, startWorld, useHarness, userRequests } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

const USERS = 200

describe('concurrent registrations', () => {
  const harness = useHarness()

  it(`turns ${USERS} concurrent registrations into ${USERS} profiles, and a duplicate email into one 409`, {
    timeout: 120_000,
  }, async () => {
    const { db, userService } = await startWorld(harness)

    const requests = userRequests(USERS)
    // Same email as one of the others (in another case: emails are case-insensitive), other username.
    const twin = requests[USERS / 2]!
    const duplicate = { ...twin, email: twin.email.toUpperCase(), username: `${twin.username}_dup` }
    const all = [...requests, duplicate]
    const results = await Promise.all(all.map((request) => register(userService.url, request)))

    const statuses = results.map((result) => result.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(USERS)
    const conflicts = results.flatMap((result, i) =>
      result.status === 409 ? [{ result, request: all[i]! }] : [],
    )
    expect(conflicts).toHaveLength(1)
    // Either of the twins may win the race; the loser is the one with the conflicting email.
    expect([twin.email, duplicate.email]).toContain(conflicts[0]!.request.email)
    expect(conflicts[0]!.result.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE)
    expect(conflicts[0]!.result.body).toMatchObject({ status: 409, code: 'USER_EMAIL_TAKEN' })

    const createdIds = sortedIds(
      results.filter((result) => result.status === 201).map((result) => result.body.id),
    )
    expect(new Set(createdIds).size).toBe(USERS)
    expect(await db.userCount()).toBe(USERS)
    expect(await db.userIds()).toEqual(createdIds)

    const counts = await db.settledProfileCounts(USERS, 60_000)
    expect(counts).toEqual({ profiles: USERS, distinctUsers: USERS, processedEvents: USERS })
    expect(await db.profileUserIds()).toEqual(createdIds)
    // Every event the user-service committed was applied, and nothing else was.
    expect(await db.processedEventIds()).toEqual(await db.outboxEventIds())
    expect(await db.pendingOutbox()).toBe(0)
  })
})
