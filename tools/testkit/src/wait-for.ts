import { sleep } from '@kafka-ref/local-servers'

export interface WaitForOptions {
  /** Default 10 s. */
  timeoutMs?: number
  /** Default 50 ms. */
  intervalMs?: number
  /** Shown in the timeout error. */
  description?: string
  /**
   * What an error thrown by the condition means. `retry` (default): "not yet", e.g. a server still
   * starting; the last one is named if the deadline passes. `throw`: a broken check, reported at
   * once instead of after the whole timeout (the benchmark's long waits).
   */
  errors?: 'retry' | 'throw'
}

/**
 * The one polling helper of the tests, the benchmark and the fault run: calls `fn` until it returns
 * something other than undefined/false and returns that.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, description = 'condition', errors = 'retry' }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await fn()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      if (errors === 'throw') throw error
      lastError = error
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : ''
      throw new Error(`waitFor(${description}) timed out after ${timeoutMs} ms${cause}`, { cause: lastError })
    }
    await sleep(intervalMs)
  }
}
