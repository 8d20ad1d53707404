import type { LocalKafka } from '@kafka-ref/local-servers'
import {
  deliveryTimeline,
  type Harness,
  nextStoredAfter,
  storedOutOfOrder,
  waitFor,
} from '@kafka-ref/testkit'
import { expect } from 'vitest'
import { expectEachEventOnce } from '../support/each-event-once.ts'
import { allDeliveries, RATE, roles, sentAtByUser, startUnderLoad, storedSince } from './support.ts'

/**
 * 3a. The leader of partition 0 killed -9 while registrations flow: every registration becomes
 * exactly one profile, each partition's profiles are stored in offset order, and both services go
 * on on the new leader without a restart (all of it happens before the node comes back).
 */
export async function leaderFailover(harness: Harness, cluster: LocalKafka): Promise<void> {
  const { running, load } = await startUnderLoad(harness, cluster)
  const { world, db, userService, profileService } = running
  const before = await roles(running)
  const leader = await cluster.leaderOf(world.topic, 0)
  const killedAt = Date.now()
  await cluster.node(leader).kill()

  // New registrations (sent after the kill) reach profiles on every partition: the failover is over.
  await waitFor(() => storedSince(load, running, killedAt + 1_000, 2 * RATE), {
    timeoutMs: 90_000,
    intervalMs: 250,
    description: 'profiles of registrations sent after the kill',
  })
  const sent = await load.stop()
  expect(sent.filter((registration) => registration.status !== 201)).toEqual([])

  // Still with the old leader down: nothing was waiting for it to come back.
  await expectEachEventOnce(db, sent.length)
  expect([userService.running, profileService.running]).toEqual([true, true])
  expect(cluster.node(leader).pid).toBeUndefined()

  const timeline = await deliveryTimeline(world.brokers, world.topic, db)
  for (const deliveries of timeline.partitions.values()) expect(storedOutOfOrder(deliveries)).toEqual([])
  const sentAt = sentAtByUser(sent)
  const partition0 = timeline.partitions.get(0) ?? []
  const stall = nextStoredAfter(partition0, killedAt)
  const newEvents = nextStoredAfter(
    partition0,
    killedAt,
    (delivery) => sentAt.get(delivery.userId)! > killedAt,
  )
  const after = await roles(running)
  console.log(
    `[cluster 3a] killed node ${leader} (leader of partition 0) at ${before}; partition 0: kill → next profile stored ${stall} ms, → first profile of an event registered after the kill ${newEvents} ms; ${sent.length} registrations, ${timeline.repeatedRecords} records sent twice; now ${after}`,
  )
  expect(allDeliveries(timeline)).toHaveLength(sent.length)
}
