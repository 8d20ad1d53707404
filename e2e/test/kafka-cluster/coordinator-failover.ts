import { describeGroup, type LocalKafka } from '@kafka-ref/local-servers'
import { committedOffsets, endOffsets, type Harness, SteadyRegistrations, waitFor } from '@kafka-ref/testkit'
import { expect } from 'vitest'
import { RATE, roles, startClusterWorld } from './support.ts'

/**
 * 3d. The broker that coordinates profile-service's consumer group killed -9 under steady load: the
 * group re-forms on the new coordinator (Stable, its one member) and consumption goes on, offsets
 * committed to the end, before the node comes back.
 */
export async function coordinatorFailover(harness: Harness, cluster: LocalKafka): Promise<void> {
  const running = await startClusterWorld(harness, cluster)
  const { world, db, userService, groupId } = running
  const load = new SteadyRegistrations(userService.url, RATE)
  harness.defer(() => load.stop())
  await waitFor(async () => (await db.profileCounts()).profiles >= 2 * RATE, {
    timeoutMs: 60_000,
    description: 'profiles flowing before the kill',
  })
  const before = await roles(running)
  const coordinator = await cluster.groupCoordinator(groupId)
  const killedAt = Date.now()
  await cluster.node(coordinator).kill()

  // The group re-forms on a new coordinator, and consumption goes on: a second's worth of
  // registrations sent after the kill all become profiles.
  const [reformed, resumed] = await Promise.all([
    waitFor(
      async () => {
        const node = await cluster.groupCoordinator(groupId)
        const group = await describeGroup(world.brokers, groupId)
        return (
          node !== coordinator && group.state === 'STABLE' && group.members === 1 && { node, at: Date.now() }
        )
      },
      { timeoutMs: 90_000, intervalMs: 100, description: 'the group stable on a new coordinator' },
    ),
    waitFor(
      async () => {
        const since = load.sent.filter((sent) => sent.sentAt > killedAt && sent.status === 201).slice(0, RATE)
        if (since.length < RATE) return false
        const ids = since.map((sent) => sent.userId!)
        const { rows } = await db.profiles.query('select 1 from profiles where user_id = any($1::uuid[])', [
          ids,
        ])
        return rows.length === ids.length && Date.now()
      },
      { timeoutMs: 90_000, intervalMs: 100, description: 'profiles of registrations sent after the kill' },
    ),
  ])
  const sent = await load.stop()
  expect(sent.filter((registration) => registration.status !== 201)).toEqual([])
  const counts = await db.settledProfileCounts(sent.length, 90_000)
  expect(counts).toEqual({ profiles: sent.length, distinctUsers: sent.length, processedEvents: sent.length })
  expect(await db.processedEventIds()).toEqual(await db.outboxEventIds())
  const ends = await endOffsets(world.brokers, world.topic)
  await waitFor(
    async () =>
      JSON.stringify(await committedOffsets(world.brokers, groupId, world.topic)) === JSON.stringify(ends),
    { timeoutMs: 30_000, intervalMs: 250, description: `committed offsets at the end offsets ${ends}` },
  )
  expect(cluster.node(coordinator).pid).toBeUndefined()
  console.log(
    `[cluster 3d] killed node ${coordinator} (group coordinator) at ${before}; kill → group stable on node ${reformed.node}: ${reformed.at - killedAt} ms; → every event registered in the first second after the kill stored: ${resumed - killedAt} ms`,
  )
}
