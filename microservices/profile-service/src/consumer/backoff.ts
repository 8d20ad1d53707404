/**
 * Capped exponential backoff: initial, 2×, 4×… up to max. The random factor (0.5–1) spreads the
 * retries of many instances so a recovering database is not hit by all of them at once.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exponential * (0.5 + random() / 2))
}
