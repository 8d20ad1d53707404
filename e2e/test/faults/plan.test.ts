import { describe, expect, it } from 'vitest'
import { CLUSTER_FAULT_KINDS, TWO_BROKERS_DOWN } from '../../src/faults/cluster-faults.ts'
import { faultMenu, planFaults } from '../../src/faults/faults.ts'
import { seededRandom } from '../../src/faults/random.ts'

const count = (kinds: string[], kind: string) => kinds.filter((k) => k === kind).length

describe('the fault plan', () => {
  it('plans a one-broker run of a seed as it always did, so recorded seeds replay the same', () => {
    const plan = planFaults(seededRandom(20261129), { count: 6, windowMs: 35_000, gapMs: 4_000 })
    expect(plan.map((fault) => [fault.kind, fault.atMs, fault.downMs, fault.instance])).toEqual([
      ['restart a user-service instance', 1008, 1582, 1],
      ['kill -9 a profile-service instance', 6379, 1284, 0],
      ['restart a user-service instance', 15447, 1745, 1],
      ['kill -9 the broker', 21237, 997, 1],
      ['stop the profiles database', 25985, 4418, 1],
      ['stop the profiles database', 30477, 3881, 1],
    ])
  })

  it.each([1, 2, 3, 20261129, 4_000_000_000])(
    'on a cluster (seed %i): every fault of the menu at least once, two brokers down exactly once',
    (seed) => {
      const kinds = planFaults(seededRandom(seed), {
        count: 10,
        windowMs: 85_000,
        gapMs: 4_000,
        brokers: 3,
      }).map((fault) => fault.kind as string)
      expect(kinds).toHaveLength(10)
      for (const kind of faultMenu(3)) expect(count(kinds, kind)).toBeGreaterThanOrEqual(1)
      for (const kind of CLUSTER_FAULT_KINDS) expect(faultMenu(3)).toContain(kind)
      expect(count(kinds, TWO_BROKERS_DOWN)).toBe(1)
      expect(count(kinds, 'kill -9 the broker')).toBe(0)
    },
  )

  it('never takes two brokers down on one broker', () => {
    const kinds = planFaults(seededRandom(5), { count: 12, windowMs: 35_000, gapMs: 2_000 }).map(
      (fault) => fault.kind,
    )
    expect(kinds).not.toContain(TWO_BROKERS_DOWN)
    expect(kinds.filter((kind) => (CLUSTER_FAULT_KINDS as readonly string[]).includes(kind))).toEqual([])
  })
})
