import { brokersOption, runCli, UsageError } from '@kafka-ref/local-servers/cli'
import { formatReport, runFaults } from '../faults/fault-run.ts'
import { parseSeed } from '../faults/random.ts'

const cli = {
  command: 'pnpm test:faults',
  options: { runs: { type: 'string' }, seed: { type: 'string' }, brokers: { type: 'string' } },
  help: `The fault run: the system under random faults, then every registration checked.
  --runs N      runs with random seeds (default 3)
  --seed N      one run with that seed (or FAULT_SEED=N), to replay a failed one
  --brokers N   local Kafka nodes (default 1); a cluster adds its faults: kill -9 of a random broker,
                the active controller or a partition leader, a broker stopped for a few seconds, a
                rolling restart, and one step with two brokers down (writes must be refused)`,
} as const

runCli(cli, async (values) => {
  const given = values.seed ?? process.env.FAULT_SEED
  const runs = given ? 1 : Number(values.runs ?? 3)
  const brokers = brokersOption(values.brokers)
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`invalid --runs '${values.runs}': a whole number, 1 or more`)
  let failed = 0
  for (let i = 0; i < runs; i++) {
    const seed = parseSeed(given)
    const report = await runFaults({ seed, brokers, log: (line) => console.log(`[faults] ${line}`) })
    console.log(formatReport(report))
    if (!report.ok) failed += 1
  }
  console.log(`${runs - failed} of ${runs} fault runs passed`)
  if (failed > 0) process.exit(1)
})
