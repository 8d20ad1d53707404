import { sleep } from '../util/sleep.ts'

export interface WaitForOptions {
  /** Default 10 s. */
  timeoutMs?: number
  /** Default 50 ms. */
  intervalMs?: number
  /** Shown in the timeout error. */
  description?: string
}

/**
 * Calls `fn` until it returns something other than undefined/false and returns that. Errors thrown by
 * `fn` count as "not yet"; the last one is reported if the deadline passes.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, description = 'condition' }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await fn()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : ''
      throw new Error(`waitFor(${description}) timed out after ${timeoutMs} ms${cause}`, { cause: lastError })
    }
    await sleep(intervalMs)
  }
}
