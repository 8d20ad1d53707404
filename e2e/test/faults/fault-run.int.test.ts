import { describe, expect, it } from 'vitest'
import { formatReport, runFaults } from '../../src/faults/fault-run.ts'
import { parseSeed } from '../../src/faults/random.ts'

// One seeded run in every test run; `pnpm test:faults --runs 3` for more, FAULT_SEED=<n> to replay.
const DEFAULT_SEED = 20261129

describe('the system under random faults', () => {
  it('turns every registration into one profile, dead-letters every poison message and commits every offset', async () => {
    const seed = process.env.FAULT_SEED ? parseSeed(process.env.FAULT_SEED) : DEFAULT_SEED
    const report = await runFaults({ seed, log: (line) => console.log(`[faults] ${line}`) })
    console.log(formatReport(report))
    expect(report.problems).toEqual([])
    expect(report.state?.users).toBeGreaterThan(500)
    expect(report.load.poisoned).toBeGreaterThan(5)
    expect(Object.values(report.faults).every((count) => count > 0)).toBe(true)
  }, 300_000)
})
