import type { LocalKafka } from '@kafka-ref/local-servers'
import { ConsumerGroups, DEFAULT_PARTITIONS, namespaced } from '@kafka-ref/shared-contracts'
import {
  type Delivery,
  type DeliveryTimeline,
  type Harness,
  type RunningWorld,
  type SentRegistration,
  startWorld,
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
