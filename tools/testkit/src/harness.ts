import { afterEach } from 'vitest'

type Cleanup = () => unknown

/**
 * Owns what a test starts (apps, service processes, brokers, clients, pools) and closes it all,
 * last first, after each test, whether it passed or not. On failure it prints the reports
 * registered with onFailure (e.g. a service's last log lines), which usually explain a wrong count.
 */
export class Harness {
  readonly #cleanups: Cleanup[] = []
  readonly #failureReports: Array<() => string> = []

  defer(cleanup: Cleanup): void {
    this.#cleanups.push(cleanup)
  }

  /** Closes `resource` after the test (with `close`, or its own close()) and returns it. */
  track<T extends { close(): unknown }>(resource: T): T
  track<T>(resource: T, close: (resource: T) => unknown): T
  track<T>(resource: T, close?: (resource: T) => unknown): T {
    this.defer(() => (close ? close(resource) : (resource as { close(): unknown }).close()))
    return resource
  }

  /** `report()` is printed if the test fails. */
  onFailure(report: () => string): void {
    this.#failureReports.push(report)
  }

  async close(failed: boolean): Promise<void> {
    if (failed) for (const report of this.#failureReports) console.error(report())
    this.#failureReports.length = 0
    const errors: unknown[] = []
    for (let cleanup = this.#cleanups.pop(); cleanup; cleanup = this.#cleanups.pop()) {
      try {
        await cleanup()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, 'test clean-up failed')
  }
}

/** A harness closed after each test of the calling file. */
export function useHarness(): Harness {
  const harness = new Harness()
  afterEach(async (context) => {
    await harness.close(context.task.result?.state === 'fail')
  })
  return harness
}
