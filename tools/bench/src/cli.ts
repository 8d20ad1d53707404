import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot, startKafka, startPostgres } from '@kafka-ref/local-servers'
import { runCli, UsageError } from '@kafka-ref/local-servers/cli'
import { type BenchContext, FULL_SIZES, QUICK_SIZES } from './context.ts'
import { benchBalancer } from './figures/balancer.ts'
import { benchCluster } from './figures/cluster.ts'
import { benchConsumer } from './figures/consumer.ts'
import { benchEndToEnd } from './figures/e2e.ts'
import { benchHttp } from './figures/http.ts'
import { benchOutbox } from './figures/outbox.ts'
import { benchRecovery } from './figures/recovery.ts'
import { formatProfiles, summarizeProfiles } from './report/cpu-profiles.ts'
import type { Figure } from './report/figure.ts'
import { describeMachine } from './report/machine.ts'
import { type Report, renderMarkdown } from './report/markdown.ts'

const FIGURES = {
  http: benchHttp,
  outbox: benchOutbox,
  consumer: benchConsumer,
  e2e: benchEndToEnd,
  balancer: benchBalancer,
  // On a three-broker cluster of its own: leader failover and a rolling restart.
  cluster: benchCluster,
  // Last: it stops and kills things (on its own broker), the others measure a steady state.
  recovery: benchRecovery,
} satisfies Record<string, (ctx: BenchContext) => Promise<Figure[]>>

type FigureName = keyof typeof FIGURES

const cli = {
  command: 'pnpm bench',
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
  help: `The benchmark, on its own broker, PostgreSQL and services; writes reports/bench.json and bench.md.
  --quick    small sizes, 1 run per figure (development; the numbers mean little)
  --only     a subset of the figures, comma-separated: ${Object.keys(FIGURES).join(',')}
  --profile  services run with --cpu-prof; summaries are printed (slower: not for the table)`,
} as const

runCli(cli, async (values) => {
  const only = (values.only?.split(',') ?? Object.keys(FIGURES)) as FigureName[]
  const unknown = only.filter((name) => !(name in FIGURES))
  if (unknown.length > 0)
    throw new UsageError(`unknown figure(s) ${unknown.join(', ')} in --only; use ${Object.keys(FIGURES)}`)

  const started = Date.now()
  const reports = join(repoRoot(), 'reports')
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-')
  const log = (message: string) =>
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`)
  log('starting Kafka and PostgreSQL...')
  const [kafkaStart, postgresStart] = await Promise.allSettled([startKafka(), startPostgres()])
  if (kafkaStart.status === 'rejected' || postgresStart.status === 'rejected') {
    // Whichever did start must not outlive this failure (its temp data dir included).
    if (kafkaStart.status === 'fulfilled') await kafkaStart.value.stop()
    if (postgresStart.status === 'fulfilled') await postgresStart.value.stop()
    throw kafkaStart.status === 'rejected'
      ? kafkaStart.reason
      : (postgresStart as PromiseRejectedResult).reason
  }
  const kafka = kafkaStart.value
  const postgres = postgresStart.value
  const ctx: BenchContext = {
    kafka,
    postgres,
    sizes: values.quick ? QUICK_SIZES : FULL_SIZES,
    profileDir: values.profile ? join(reports, 'profiles', stamp) : undefined,
    peakRss: {},
    uncleanExits: [],
    log,
  }
  const figures: Figure[] = []
  try {
    for (const name of only) figures.push(...(await FIGURES[name](ctx)))
  } finally {
    await postgres.stop().catch(() => undefined)
    await kafka.stop().catch(() => undefined)
  }

  const args = process.argv.slice(2)
  const report: Report = {
    date: `${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    command: ['pnpm bench', ...args].join(' '),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: describeMachine(ctx),
    runsPerFigure: ctx.sizes.runs,
    figures,
    peakRssMiB: ctx.peakRss,
    uncleanExits: ctx.uncleanExits,
  }
  mkdirSync(reports, { recursive: true })
  const markdown = renderMarkdown(report)
  writeFileSync(join(reports, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(join(reports, 'bench.md'), markdown)
  process.stdout.write(markdown)
  if (ctx.profileDir) {
    const profiles = formatProfiles(summarizeProfiles(ctx.profileDir))
    writeFileSync(join(ctx.profileDir, 'summary.txt'), `${profiles}\n`)
    process.stdout.write(`\nCPU profiles (${ctx.profileDir}):\n\n${profiles}\n`)
  }
  log('wrote reports/bench.json and reports/bench.md')
})
