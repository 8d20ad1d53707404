import { ServiceProcess } from '@kafka-ref/system'
import type { BenchContext } from '../context.ts'
import type { Sample } from '../report/figure.ts'
import { type PgActivity, samplePgActivity } from './pg-activity.ts'
import { type CpuUsage, cpuWindow } from './procs.ts'
import { infraTargets, profileFromNow } from './services.ts'

export interface Observed {
  cpu: CpuUsage
  pg?: PgActivity
}

export interface ObserveOptions {
  /** Processes whose CPU use is reported, by name (the infrastructure is always included). */
  processes: Record<string, { pid: number | undefined }>
  /** Databases whose connections are sampled (pg_stat_activity), by URL. */
  databases?: string[]
}

/**
 * Watches a measured run: CPU per process, the service databases' connection states, and (with
 * --profile) the services' CPU profilers, started now so start-up stays out of the profile.
 */
export async function observe(ctx: BenchContext, options: ObserveOptions) {
  const databases = options.databases ?? []
  const samplers = await Promise.all(
    databases.map((url) => samplePgActivity(ctx.postgres.url, new URL(url).pathname.slice(1))),
  )
  const window = cpuWindow([
    ...Object.entries(options.processes).map(([name, { pid }]) => ({ name, pid })),
    ...infraTargets(ctx),
  ])
  const services = Object.values(options.processes).filter((each) => each instanceof ServiceProcess)
  profileFromNow(ctx, ...services)
  return {
    async stop(): Promise<Observed> {
      const cpu = window.stop()
      if (samplers.length === 0) return { cpu }
      const activities = await Promise.all(samplers.map((sampler) => sampler.stop()))
      const pg: PgActivity = {}
      activities.forEach((activity, index) => {
        const prefix = databases.length > 1 ? `${new URL(databases[index]!).pathname.slice(1)}: ` : ''
        for (const [bucket, percent] of Object.entries(activity)) pg[`${prefix}${bucket}`] = percent
      })
      return { cpu, pg }
    },
  }
}

/** A raw baseline's run: `run` measures and returns a rate; the machine's CPU use is observed meanwhile. */
export async function baselineRate(
  ctx: BenchContext,
  label: string,
  run: () => Promise<number>,
): Promise<Sample> {
  const watch = await observe(ctx, { processes: {} })
  const rate = await run()
  const { cpu } = await watch.stop()
  ctx.log(`  ${label}: ${Math.round(rate)} events/s`)
  return { value: rate, cpu }
}
