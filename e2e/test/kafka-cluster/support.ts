import type { LocalKafka } from '@kafka-ref/local-servers'
import { ConsumerGroups, DEFAULT_PARTITIONS, namespaced } from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  type Delivery,
  type DeliveryTimeline,
  endOffsets,
  type Harness,
  type RunningWorld,
  type SentRegistration,
  SteadyRegistrations,
  startWorld,
  waitFor,
} from '@kafka-ref/testkit'

/** Registrations per second while a test breaks the cluster: steady, and light on two cores. */
export const RATE = 20

export interface ClusterWorld extends RunningWorld {
  cluster: LocalKafka
  groupId: string
}

/** A test world (its own topics and databases) and one instance of each service on the cluster. */
export async function startClusterWorld(harness: Harness, cluster: LocalKafka): Promise<ClusterWorld> {
  const running = await startWorld(harness, { brokers: cluster.bootstrapServers })
  return { ...running, cluster, groupId: namespaced(ConsumerGroups.profileService, running.world.namespace) }
}

/**
 * A cluster world under steady registrations: returns once profiles flow (two seconds' worth
 * stored), so what a test breaks next hits a running system. The harness stops the load.
 */
export async function startUnderLoad(
  harness: Harness,
  cluster: LocalKafka,
): Promise<{ running: ClusterWorld; load: SteadyRegistrations }> {
  const running = await startClusterWorld(harness, cluster)
  const load = new SteadyRegistrations(running.userService.url, RATE)
  harness.defer(() => load.stop())
  await waitFor(async () => (await running.db.profileCounts()).profiles >= 2 * RATE, {
    timeoutMs: 60_000,
    description: 'profiles flowing',
  })
  return { running, load }
}

/**
 * Whether the first `count` registrations answered 201 that were sent after `since` all have their
 * profile: events registered after a fault going through.
 */
export async function storedSince(
  load: SteadyRegistrations,
  { db }: ClusterWorld,
  since: number,
  count: number,
) {
  const ids = load.sent
    .filter((sent) => sent.sentAt > since && sent.status === 201)
    .slice(0, count)
    .map((sent) => sent.userId!)
  if (ids.length < count) return false
  const { rows } = await db.profiles.query('select 1 from profiles where user_id = any($1::uuid[])', [ids])
  return rows.length === count
}

/** The group's committed offsets reach the topic's end offsets on every partition. */
export async function waitForCommittedToEnd({ world, groupId }: ClusterWorld): Promise<void> {
  const ends = await endOffsets(world.brokers, world.topic)
  await waitFor(
    async () =>
      JSON.stringify(await committedOffsets(world.brokers, groupId, world.topic)) === JSON.stringify(ends),
    { timeoutMs: 30_000, intervalMs: 250, description: `committed offsets at the end offsets ${ends}` },
  )
}

/** Who does what now, for the test's output: partition leaders, active controller, group coordinator. */
export async function roles({ cluster, world, groupId }: ClusterWorld): Promise<string> {
  const leaders = await Promise.all(
    Array.from({ length: DEFAULT_PARTITIONS }, (_, partition) => cluster.leaderOf(world.topic, partition)),
  )
  const [controller, coordinator] = await Promise.all([
    cluster.activeController(),
    cluster.groupCoordinator(groupId),
  ])
  return `leaders ${leaders.map((node, partition) => `p${partition}→${node}`).join(' ')}, controller ${controller}, group coordinator ${coordinator}`
}

/** Every partition's deliveries in one list. */
export function allDeliveries(timeline: DeliveryTimeline): Delivery[] {
  return [...timeline.partitions.values()].flat()
}

/** End-to-end times (request sent → profile stored) of the registrations `sent` within [from, to). */
export function endToEndMs(
  sent: readonly SentRegistration[],
  timeline: DeliveryTimeline,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): number[] {
  const storedAt = new Map(allDeliveries(timeline).map((delivery) => [delivery.userId, delivery.storedAt]))
  return sent.flatMap((registration) => {
    const stored = registration.userId && storedAt.get(registration.userId)
    return stored && registration.sentAt >= from && registration.sentAt < to
      ? [stored - registration.sentAt]
      : []
  })
}

/** When each registered user's request was sent, by user id. */
export function sentAtByUser(sent: readonly SentRegistration[]): Map<string, number> {
  return new Map(
    sent.flatMap((registration) => (registration.userId ? [[registration.userId, registration.sentAt]] : [])),
  )
}
