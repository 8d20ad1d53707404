import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, createTopics, freePort } from '@kafka-ref/local-servers'
import { type ServiceName, ServiceProcess } from '@kafka-ref/system'
import { type BenchContext, PARTITIONS } from '../context.ts'
import { type CpuTarget, peakRssMiB } from './procs.ts'

const PROFILER = fileURLToPath(new URL('./cpu-profiler.mjs', import.meta.url))

/**
 * Production settings, except where one benchmarking client would trip a per-client protection:
 * LOG_LEVEL=warn (info would log every request and event, which a production deployment may
 * well do, but then the figure measures pino, not the service), NODE_ENV=production, and the
 * per-IP registration rate limit raised (every request comes from 127.0.0.1).
 */
export const PRODUCTION_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  REGISTER_RATE_LIMIT_MAX: '1000000000',
  PROFILE_RATE_LIMIT_MAX: '1000000000',
  // The register figures measure hashing throughput under load, not how fast a full queue says 503.
  PASSWORD_HASH_QUEUE_MAX: '10000',
}

/** A service's environment in a benchmark: production settings, this run's servers, then `options.env`. */
export const serviceEnv = (ctx: BenchContext, options: StartOptions): Record<string, string> => ({
  ...PRODUCTION_ENV,
  DATABASE_URL: options.databaseUrl,
  KAFKA_BROKERS: ctx.kafka.bootstrapServers,
  KAFKA_TOPIC_NAMESPACE: options.namespace,
  ...options.env,
})

export interface StartOptions {
  databaseUrl: string
  namespace: string
  env?: Record<string, string>
  label?: string
}

/** Starts a service from its entry point with production settings and waits for readiness. */
export async function startService(
  ctx: BenchContext,
  service: ServiceName,
  options: StartOptions,
): Promise<ServiceProcess> {
  const label = options.label ?? service
  const profileEnv: Record<string, string> = {}
  if (ctx.profileDir) {
    const dir = join(ctx.profileDir, label)
    mkdirSync(dir, { recursive: true })
    profileEnv.NODE_OPTIONS = `--import ${PROFILER}`
    profileEnv.BENCH_CPU_PROFILE_DIR = dir
  }
  const instance = new ServiceProcess({
    service,
    label,
    port: await freePort(),
    env: { ...serviceEnv(ctx, options), ...profileEnv },
    // Only warnings and errors reach this point (LOG_LEVEL=warn): worth seeing.
    onLine: (line, name) => process.stderr.write(`[${name}] ${line}\n`),
  })
  await instance.start()
  return instance
}

/** With --profile, starts the service's CPU profiler (see cpu-profiler.mjs): call as a measured run begins. */
export function profileFromNow(ctx: BenchContext, ...instances: ServiceProcess[]): void {
  if (!ctx.profileDir) return
  for (const instance of instances) if (instance.pid !== undefined) process.kill(instance.pid, 'SIGWINCH')
}

/** Records the process's peak RSS (it is gone after the stop), then stops it gracefully. */
export async function stopService(ctx: BenchContext, instance: ServiceProcess): Promise<void> {
  const peak = peakRssMiB(instance.pid)
  const key = instance.label
  if (peak !== undefined) ctx.peakRss[key] = Math.max(ctx.peakRss[key] ?? 0, peak)
  await instance.stop()
  const exit = instance.exit
  if (exit && exit.code !== 0) {
    ctx.log(`  ${instance.label} did not exit cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal})`)
    ctx.uncleanExits.push(`${instance.label}: code ${exit.code}, signal ${exit.signal}`)
  }
}

/** The processes whose CPU use is reported beside a figure. */
export function infraTargets(ctx: BenchContext): CpuTarget[] {
  return [
    { name: 'postgres', pid: ctx.postgres.pid, children: true },
    { name: 'kafka', pid: ctx.kafka.pid },
  ]
}

export async function freshDatabase(ctx: BenchContext, name: string): Promise<string> {
  return createDatabase(ctx.postgres.url, name)
}

export async function freshTopic(ctx: BenchContext, name: string): Promise<void> {
  await createTopics(ctx.kafka.bootstrapServers, [{ name, partitions: PARTITIONS }])
}
