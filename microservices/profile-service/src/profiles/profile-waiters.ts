import { userIdKey } from './user-id-key.ts'

export interface Waiter {
  /** True when the profile was announced (or notifications were interrupted: look again); false on timeout or close. */
  readonly done: Promise<boolean>
  cancel(): void
}

/**
 * The HTTP requests waiting for a profile, by user id (any case). The LISTEN connection wakes them:
 * one when its profile is announced, all when a notification may have been missed (look again),
 * all with `false` when it closes.
 */
export class ProfileWaiters {
  readonly #waiters = new Map<string, Set<(found: boolean) => void>>()
  #count = 0
  #closed = false

  /** Requests waiting now (for a gauge, and for the route's cap). */
  get count(): number {
    return this.#count
  }

  wait(userId: string, timeoutMs: number): Waiter {
    if (this.#closed) return { done: Promise.resolve(false), cancel: () => undefined }
    const key = userIdKey(userId)
    let settle: (found: boolean) => void = () => undefined
    const done = new Promise<boolean>((resolve) => {
      let settled = false
      const timer = setTimeout(() => settle(false), timeoutMs)
      settle = (found) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.#count -= 1
        const set = this.#waiters.get(key)
        set?.delete(settle)
        if (set?.size === 0) this.#waiters.delete(key)
        resolve(found)
      }
      const set = this.#waiters.get(key) ?? new Set()
      set.add(settle)
      this.#waiters.set(key, set)
      this.#count += 1
    })
    return { done, cancel: () => settle(false) }
  }

  wake(userId: string, found: boolean): void {
    for (const settle of [...(this.#waiters.get(userIdKey(userId)) ?? [])]) settle(found)
  }

  wakeAll(found: boolean): void {
    for (const waiters of [...this.#waiters.values()]) for (const settle of [...waiters]) settle(found)
  }

  /** Every waiter answers `false` (it looks once more), and any new one at once. */
  close(): void {
    this.#closed = true
    this.wakeAll(false)
  }
}
