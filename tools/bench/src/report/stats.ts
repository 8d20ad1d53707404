/** Median, min and max of the runs of one figure: the median resists the odd noisy run on a shared machine. */
export interface Summary {
  median: number
  min: number
  max: number
  runs: number[]
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('no runs to summarize')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: [...values] }
}

/** Nearest-rank percentile (p in 0–100) of raw samples, e.g. latencies. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]!
}
