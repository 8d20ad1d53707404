import type { Observed } from '../measurement/observe.ts'
import type { Sample } from '../report/figure.ts'
import { percentile } from '../report/stats.ts'

/** One run of the end-to-end figure: its p50 and p99, each a sample of its own figure row. */
export interface Latencies {
  p50: Sample
  p99: Sample
}

export const toLatencies = (
  latencies: number[],
  observed: Partial<Observed> = {},
  legs: Record<string, number> = {},
): Latencies => ({
  p50: { value: percentile(latencies, 50), ...observed, extra: { count: latencies.length, ...legs } },
  p99: { value: percentile(latencies, 99), ...observed, extra: { count: latencies.length, ...legs } },
})
