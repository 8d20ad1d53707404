import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, createTopics } from '@kafka-ref/local-servers'
import { DEFAULT_PARTITIONS } from '@kafka-ref/shared-contracts'
import { createSystemTopics, type ServiceName, type ServiceProcess, startSystem } from '@kafka-ref/system'
import type { BenchContext } from '../context.ts'
import { type CpuTarget, peakRssMiB } from './procs.ts'

const PROFILER = fileURLToPath(new URL('./cpu-profiler.mjs', import.meta.url))

export interface StartOptions {
  databaseUrl: string
  namespace: string
  env?: Record<string, string>
  label?: string
}

/**
 * Starts one instance of a service from its entry point with production settings (the
 * `bench-production` preset), against this run's broker, and waits for readiness.
 */
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
  // One service on this run's servers: it owns nothing but the instance, which
  // stopService stops (recording its peak RSS first).
  const system = await startSystem({
    kafka: { brokers: ctx.kafka.bootstrapServers },
    namespace: options.namespace,
    createTopics: false,
    preset: 'bench-production',
    services: {
      [service]: { label, databaseUrl: options.databaseUrl, env: { ...options.env, ...profileEnv } },
    },
    // Only warnings and errors reach this point (LOG_LEVEL=warn): worth seeing.
    onLine: (line, name) => process.stderr.write(`[${name}] ${line}\n`),
  })
  return system.service(service).instances[0]!
}

/** A started service's configuration: its environment without the CPU profiler's preload. */
export function serviceConfig(instance: ServiceProcess): Record<string, string> {
  const { NODE_OPTIONS: _preload, BENCH_CPU_PROFILE_DIR: _profiles, ...config } = instance.env
  return config
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

/** One topic of its own (a baseline's), with the system's partition count. */
export async function freshTopic(ctx: BenchContext, name: string): Promise<void> {
  await createTopics(ctx.kafka.bootstrapServers, [{ name, partitions: DEFAULT_PARTITIONS }])
}

/** The system's topics under `namespace` (user_register and its dead-letter topic). */
export async function freshSystemTopics(ctx: BenchContext, namespace: string): Promise<void> {
  await createSystemTopics(ctx.kafka.bootstrapServers, namespace)
}
