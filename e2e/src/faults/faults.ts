import { sleep } from '@kafka-ref/local-servers'
import type { Random } from './random.ts'
import type { FaultWorld } from './world.ts'

export const FAULT_KINDS = [
  'kill -9 a profile-service instance',
  'kill -9 the broker',
  'stop the profiles database',
  'restart a user-service instance',
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

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
 * `count` faults spread over `windowMs`, each kind at least once, in a random order at random times
 * (at least `gapMs` apart, so each one's recovery starts before the next one hits).
 */
export function planFaults(
  random: Random,
  { count, windowMs, gapMs }: { count: number; windowMs: number; gapMs: number },
) {
  const kinds: FaultKind[] = [...FAULT_KINDS]
  while (kinds.length < count) kinds.push(random.pick(FAULT_KINDS))
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
  }
  const slack = windowMs - gapMs * count
  const offsets = kinds.map(() => random.int(0, Math.max(0, slack))).sort((a, b) => a - b)
  return kinds.map(
    (kind, i): PlannedFault => ({
      kind,
      atMs: offsets[i]! + gapMs * i,
      downMs: kind === 'stop the profiles database' ? random.int(2_000, 5_000) : random.int(500, 3_000),
      instance: random.int(0, 1),
    }),
  )
}

/** Breaks what the fault names, waits `downMs`, and brings it back (ready again) before resolving. */
export async function inject(world: FaultWorld, fault: PlannedFault, random: Random): Promise<void> {
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
  }
}
