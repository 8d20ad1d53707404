export interface BackoffOptions {
  /** The delay of the first retry. */
  initialMs: number
  /** No delay is longer. */
  maxMs: number
}

/**
 * Capped exponential backoff with jitter: attempt 1 waits about `initialMs`, each next one about
 * twice as long, up to `maxMs`. The random factor (0.5–1) spreads the retries of many instances,
 * so a dependency that comes back is not hit by all of them at the same moment.
 */
export function backoffDelay(
  attempt: number,
  { initialMs, maxMs }: BackoffOptions,
  random = Math.random,
): number {
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exponential * (0.5 + random() / 2))
}
