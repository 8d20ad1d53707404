import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import { PROFILE_CREATED_CHANNEL } from './profile-store.ts'

export interface Waiter {
  /** True when the profile was announced (or notifications were interrupted: look again); false on timeout. */
  readonly done: Promise<boolean>
  cancel(): void
}

const RECONNECT_DELAY_MS = 500

/**
 * One dedicated connection per process LISTENs for stored profiles and wakes the HTTP requests
 * waiting for them, so a waiting request costs no database work until its profile exists.
 */
export class ProfileListener {
  readonly #waiters = new Map<string, Set<(found: boolean) => void>>()
  readonly #connectionString: string
  readonly #log: FastifyBaseLogger
  #client: pg.Client | undefined
  #closed = false
  #reconnectTimer: NodeJS.Timeout | undefined

  constructor(connectionString: string, log: FastifyBaseLogger) {
    this.#connectionString = connectionString
    this.#log = log
  }

  get isListening(): boolean {
    return this.#client !== undefined
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#connectionString })
    client.on('notification', (message) => {
      if (message.payload) this.#wake(message.payload, true)
    })
    const lost = (error?: Error) => {
      if (this.#client !== client) return
      this.#client = undefined
      client.end().catch(() => undefined)
      if (this.#closed) return
      this.#log.warn({ err: error }, 'profile notifications interrupted; reconnecting')
      // A notification may be lost while disconnected: every waiter looks in the database again.
      for (const userId of [...this.#waiters.keys()]) this.#wake(userId, true)
      this.#scheduleReconnect()
    }
    client.on('error', lost)
    client.on('end', () => lost())
    try {
      await client.connect()
      await client.query(`LISTEN ${PROFILE_CREATED_CHANNEL}`)
    } catch (error) {
      // Not yet this.#client, so lost() ignores it: end it here or it stays open.
      await client.end().catch(() => undefined)
      throw error
    }
    // close() may have run meanwhile (shutdown during a reconnect): keep no connection open past it.
    if (this.#closed) {
      await client.end().catch(() => undefined)
      return
    }
    this.#client = client
    // After a reconnect: a waiter that began while no connection listened may have missed its
    // notification, so every waiter looks in the database again.
    for (const userId of [...this.#waiters.keys()]) this.#wake(userId, true)
  }

  /** Subscribe before the first lookup, so a profile stored in between is not missed. */
  wait(userId: string, timeoutMs: number): Waiter {
    let settle: (found: boolean) => void = () => undefined
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), timeoutMs)
      settle = (found) => {
        clearTimeout(timer)
        this.#waiters.get(userId)?.delete(settle)
        if (this.#waiters.get(userId)?.size === 0) this.#waiters.delete(userId)
        resolve(found)
      }
      const set = this.#waiters.get(userId) ?? new Set()
      set.add(settle)
      this.#waiters.set(userId, set)
    })
    return { done, cancel: () => settle(false) }
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    for (const userId of [...this.#waiters.keys()]) this.#wake(userId, false)
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => undefined)
  }

  #wake(userId: string, found: boolean) {
    for (const settle of [...(this.#waiters.get(userId) ?? [])]) settle(found)
  }

  #scheduleReconnect() {
    this.#reconnectTimer = setTimeout(() => {
      this.start().catch((err: Error) => {
        this.#log.warn({ err }, 'cannot listen for profile notifications yet')
        if (!this.#closed) this.#scheduleReconnect()
      })
    }, RECONNECT_DELAY_MS)
  }
}
