/**
 * A wake-up that is never lost: a wake() that comes while nobody waits is remembered, so the
 * next wait() returns at once. wait() also ends after `ms`, or for good once closed.
 */
export class WakeSignal {
  #pending = false
  #closed = false
  #resolve: (() => void) | undefined

  wake(): void {
    this.#pending = true
    this.#resolve?.()
  }

  close(): void {
    this.#closed = true
    this.#resolve?.()
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Waits for wake(), close() or `ms`. With `wakeable: false` only close() ends it early. */
  async wait(ms: number, { wakeable = true } = {}): Promise<void> {
    if (this.#closed || (wakeable && this.#pending)) {
      if (wakeable) this.#pending = false
      return
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#resolve = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#resolve = () => {
        if (this.#closed || wakeable) done()
      }
    })
    if (wakeable) this.#pending = false
  }
}
