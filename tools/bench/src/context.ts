import type { LocalKafka, LocalPostgres } from '@kafka-ref/local-servers'
import type { WaitForOptions } from '@kafka-ref/testkit/clients'

export interface BenchSizes {
  runs: number
  /** autocannon duration of one HTTP run, seconds. */
  httpSeconds: number
  /** Rows pre-filled into the outbox. */
  outboxEvents: number
  /** Events pre-filled into the consumer's topic. */
  consumerEvents: number
  /** Registrations per second and seconds of the end-to-end figure. */
  e2eRate: number
  e2eSeconds: number
}

export const FULL_SIZES: BenchSizes = {
  runs: 3,
  httpSeconds: 5,
  outboxEvents: 20_000,
  consumerEvents: 50_000,
  e2eRate: 100,
  e2eSeconds: 10,
}

export const QUICK_SIZES: BenchSizes = {
  runs: 1,
  httpSeconds: 2,
  outboxEvents: 2_000,
  consumerEvents: 5_000,
  e2eRate: 100,
  e2eSeconds: 3,
}

/** What every figure gets: the broker and PostgreSQL server of this run, the sizes, what it collects. */
export interface BenchContext {
  kafka: LocalKafka
  postgres: LocalPostgres
  sizes: BenchSizes
  /** Set by --profile: services run under the V8 CPU profiler (cpu-profiler.mjs) and write profiles here. */
  profileDir: string | undefined
  /** Highest VmHWM seen per service label, MiB. */
  peakRss: Record<string, number>
  /** Services that did not exit with code 0 after SIGTERM (reported: a graceful stop should). */
  uncleanExits: string[]
  log(message: string): void
}

/**
 * How the benchmark waits for a run to finish (waitFor): long enough for a full-size run, and a
 * failing check (a broken query) ends the run at once instead of after the whole timeout.
 */
export const BENCH_WAIT = { timeoutMs: 300_000, intervalMs: 200, errors: 'throw' } satisfies WaitForOptions
