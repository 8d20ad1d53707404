import { describeGroup, type LocalKafka } from '@kafka-ref/local-servers'
import { type Harness, waitFor } from '@kafka-ref/testkit'
import { expect } from 'vitest'
import { expectEachEventOnce } from '../support/each-event-once.ts'
import { RATE, roles, startUnderLoad, storedSince, waitForCommittedToEnd } from './support.ts'

/**
 * 3d. The broker that coordinates profile-service's consumer group killed -9 under steady load: the
 * group re-forms on the new coordinator (Stable, its one member) and consumption goes on, offsets
 * committed to the end, before the node comes back.
 */
export async function coordinatorFailover(harness: Harness, cluster: LocalKafka): Promise<void> {
  const { running, load } = await startUnderLoad(harness, cluster)
  const { world, db, groupId } = running
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
    waitFor(async () => (await storedSince(load, running, killedAt, RATE)) && Date.now(), {
      timeoutMs: 90_000,
      intervalMs: 100,
      description: 'profiles of registrations sent after the kill',
    }),
  ])
  const sent = await load.stop()
  expect(sent.filter((registration) => registration.status !== 201)).toEqual([])
  await expectEachEventOnce(db, sent.length)
  await waitForCommittedToEnd(running)
  expect(cluster.node(coordinator).pid).toBeUndefined()
  console.log(
    `[cluster 3d] killed node ${coordinator} (group coordinator) at ${before}; kill → group stable on node ${reformed.node}: ${reformed.at - killedAt} ms; → every event registered in the first second after the kill stored: ${resumed - killedAt} ms`,
  )
}
