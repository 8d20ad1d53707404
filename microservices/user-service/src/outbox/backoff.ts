/** Capped exponential backoff: attempt 1 → initialMs, doubling up to maxMs. */
export function backoffDelay(attempt: number, { initialMs = 100, maxMs = 5000 } = {}): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1))
}
