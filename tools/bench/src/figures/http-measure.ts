import type { ServiceProcess } from '@kafka-ref/system'
import type { BenchContext } from '../context.ts'
import { fire, type LoadResult, type LoadSettings, type LoadTarget } from '../measurement/load.ts'
import { type Observed, observe } from '../measurement/observe.ts'
import type { Sample } from '../report/figure.ts'
import type { BareServer } from './bare-baseline.ts'

export const HTTP_NAMESPACE = 'bench-http-'

/** The same autocannon settings for every subject and its baseline. */
export const httpSettings = (ctx: BenchContext): LoadSettings => ({
  connections: 50,
  pipelining: 1,
  seconds: ctx.sizes.httpSeconds,
})

export const describeSettings = (load: LoadSettings) =>
  `${load.connections} connections, pipelining ${load.pipelining}, ${load.seconds} s per run`

export interface HttpRun extends Observed {
  result: LoadResult
}

/** One autocannon run, with the CPU use of the server under test (and `path`) and of the infrastructure. */
export async function measure(
  ctx: BenchContext,
  target: LoadTarget,
  load: LoadSettings,
  server: ServiceProcess | BareServer,
  database?: string,
  /** Other processes on the request's path (a balancer), whose CPU use is reported too. */
  path: Record<string, { pid: number | undefined }> = {},
): Promise<HttpRun> {
  const watch = await observe(ctx, {
    processes: { service: server, ...path },
    databases: database ? [database] : [],
  })
  const result = await fire(target, load)
  const observed = await watch.stop()
  if (result.failed > 0) ctx.log(`  ${result.failed} failed requests against ${target.url}`)
  ctx.log(
    `  ${target.method ?? 'GET'} ${target.url}: ${Math.round(result.rps)} req/s, p99 ${result.p99Ms} ms`,
  )
  return { result, ...observed }
}

export const rps = (runs: HttpRun[]): Sample[] =>
  runs.map(({ result, cpu, pg }) => ({ value: result.rps, cpu, pg, extra: { failed: result.failed } }))

export const p99 = (runs: HttpRun[]): Sample[] =>
  runs.map(({ result, cpu, pg }) => ({ value: result.p99Ms, cpu, pg, extra: { failed: result.failed } }))
