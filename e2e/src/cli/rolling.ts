import { runCli, UsageError } from '@kafka-ref/local-servers/cli'
import { formatRollingReport, runRollingDeploy } from '../rolling/rolling-deploy.ts'

const cli = {
  command: 'pnpm test:rolling',
  options: {
    instances: { type: 'string' },
    'drain-delay-ms': { type: 'string' },
    'no-kill': { type: 'boolean' },
  },
  help: `A rolling deploy under load, on a broker and PostgreSQL of its own: N instances of each service behind
HAProxy, clients registering and waiting for profiles through the front ports, every instance restarted
(SIGTERM) one at a time, then one instance of each service killed (SIGKILL); then what was stored is checked.
  --instances N          instances of each service (default 2)
  --drain-delay-ms N     the services' SHUTDOWN_DRAIN_DELAY_MS (default theirs, 3000); 0 to see a stop without it
  --no-kill              the roll only`,
} as const

function count(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`invalid --${name} '${raw}': a whole number, ${min} or more`)
  return value
}

runCli(cli, async (values) => {
  const report = await runRollingDeploy({
    kafka: { local: {} },
    postgres: { local: {} },
    instances: count('instances', values.instances, 2),
    drainDelayMs: count('drain-delay-ms', values['drain-delay-ms'], 0),
    kill: !values['no-kill'],
    log: (line) => console.log(`[rolling] ${line}`),
  })
  console.log(formatRollingReport(report))
  if (!report.ok) process.exit(1)
})
