import { parseArgs } from 'node:util'
import { runCli } from '@kafka-ref/local-servers/cli'
import { formatReport, runFaults } from '../faults/fault-run.ts'
import { parseSeed } from '../faults/random.ts'

// Usage: pnpm test:faults [--runs 3] [--seed N]   (FAULT_SEED=N replays one run)
runCli(async () => {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' } } })
  const given = values.seed ?? process.env.FAULT_SEED
  const runs = given ? 1 : Number(values.runs ?? 3)
  let failed = 0
  for (let i = 0; i < runs; i++) {
    const seed = parseSeed(given)
    const report = await runFaults({ seed, log: (line) => console.log(`[faults] ${line}`) })
    console.log(formatReport(report))
    if (!report.ok) failed += 1
  }
  console.log(`${runs - failed} of ${runs} fault runs passed`)
  if (failed > 0) process.exit(1)
})
