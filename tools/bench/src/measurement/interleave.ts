/**
 * Runs baseline and subjects alternately (baseline, subject A, subject B, baseline, …), so a slow
 * drift of the machine (another process, a warming cache) hits every side alike instead of
 * skewing one of them.
 */
export async function interleave<K extends string, R>(
  runs: number,
  steps: Record<K, (run: number) => Promise<R>>,
  onResult?: (key: K, run: number, result: R) => void,
): Promise<Record<K, R[]>> {
  const keys = Object.keys(steps) as K[]
  const results = Object.fromEntries(keys.map((key) => [key, [] as R[]])) as Record<K, R[]>
  for (let run = 0; run < runs; run++) {
    for (const key of keys) {
      const result = await steps[key](run)
      results[key].push(result)
      onResult?.(key, run, result)
    }
  }
  return results
}
