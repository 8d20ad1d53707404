import { sleep } from '@kafka-ref/local-servers'
import {
  CLUSTER_FAULT_KINDS,
  type ClusterFaultKind,
  injectClusterFault,
  TWO_BROKERS_DOWN,
  type TwoDownFigures,
  twoBrokersDown,
} from './cluster-faults.ts'
import type { Random } from './random.ts'
import type { FaultWorld } from './world.ts'

/** Faults of the services and their databases: in every run. */
const SERVICE_FAULT_KINDS = [
  'kill -9 a profile-service instance',
  'stop the profiles database',
  'restart a user-service instance',
] as const

const BROKER_FAULT = 'kill -9 the broker'

export const FAULT_KINDS = [
  ...SERVICE_FAULT_KINDS,
  BROKER_FAULT,
  ...CLUSTER_FAULT_KINDS,
  TWO_BROKERS_DOWN,
] as const
export type FaultKind = (typeof SERVICE_FAULT_KINDS)[number] | typeof BROKER_FAULT | ClusterFaultKind

/**
 * The random menu of a run: on one broker, that broker's crash; on a cluster, crashes and stops of
 * one node at a time (a random one, the active controller, a partition leader) and a rolling restart.
 */
export function faultMenu(brokers: number): FaultKind[] {
  const [profileKill, ...others] = SERVICE_FAULT_KINDS
  // One broker: the order the seeds of the recorded runs were planned with, so they replay the same.
  if (brokers === 1) return [profileKill, BROKER_FAULT, ...others]
  return [...SERVICE_FAULT_KINDS, ...CLUSTER_FAULT_KINDS]
}

export interface PlannedFault {
  kind: FaultKind
  /** Milliseconds after the load started. */
  atMs: number
  /** How long the broken part stays down before it is started again. */
  downMs: number
  /** Which instance, for the service faults. */
  instance: number
}

/**
 * `count` faults spread over `windowMs`: each kind of the menu at least once (and, on a cluster,
 * the two-brokers-down step exactly once), in a random order at random times (at least `gapMs`
 * apart, so each one's recovery starts before the next one hits).
 */
export function planFaults(
  random: Random,
  {
    count,
    windowMs,
    gapMs,
    brokers = 1,
  }: { count: number; windowMs: number; gapMs: number; brokers?: number },
) {
  const menu = faultMenu(brokers)
  const kinds: FaultKind[] = [...menu, ...(brokers > 1 ? [TWO_BROKERS_DOWN] : [])]
  while (kinds.length < count) kinds.push(random.pick(menu))
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
  }
  const slack = windowMs - gapMs * kinds.length
  const offsets = kinds.map(() => random.int(0, Math.max(0, slack))).sort((a, b) => a - b)
  return kinds.map(
    (kind, i): PlannedFault => ({
      kind,
      atMs: offsets[i]! + gapMs * i,
      downMs:
        kind === 'stop the profiles database' || kind === 'stop a broker for a few seconds'
          ? random.int(2_000, 5_000)
          : random.int(500, 3_000),
      instance: random.int(0, 1),
    }),
  )
}

/**
 * Breaks what the fault names, waits `downMs`, and brings it back (ready again) before resolving;
 * the two-brokers-down step resolves with what it saw.
 */
export async function inject(
  world: FaultWorld,
  fault: PlannedFault,
  random: Random,
): Promise<TwoDownFigures | undefined> {
  switch (fault.kind) {
    case 'kill -9 a profile-service instance': {
      const service = world.profileServices[fault.instance]!
      await service.kill()
      await sleep(fault.downMs)
      await service.start()
      return
    }
    case 'kill -9 the broker':
      await world.kafka.kill()
      await sleep(fault.downMs)
      await world.kafka.start()
      return
    case 'stop the profiles database':
      await world.stopProfilesDatabase()
      await sleep(fault.downMs)
      await world.startProfilesDatabase()
      return
    case 'restart a user-service instance': {
      const service = world.userServices[fault.instance]!
      // Half the time a graceful stop, half the time a crash right after some commit.
      if (random.next() < 0.5) await service.stop()
      else await service.kill()
      await sleep(fault.downMs)
      await service.start()
      return
    }
    case TWO_BROKERS_DOWN:
      return twoBrokersDown(world, fault.downMs, random)
    default:
      await injectClusterFault(world, fault.kind, fault.downMs, random)
  }
}
