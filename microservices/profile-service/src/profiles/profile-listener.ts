import { type DatabaseConnectionSettings, pgConnectionConfig } from '@kafka-ref/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import { PROFILE_CREATED_CHANNEL } from './profile-repository.ts'
import { ProfileWaiters, type Waiter } from './profile-waiters.ts'

/** Told what the connection hears, so what is kept from the database can follow it (the cache). */
export interface ListenerObserver {
  /** A profile was stored or changed. */
  changed(userId: string): void
  /** Listening (again): from now on every notification is heard. */
  listening(): void
  /** The connection is lost or closed: notifications may go unheard until `listening`. */
  interrupted(): void
}

/** PROFILE_LISTENER_HEARTBEAT_MS and PROFILE_LISTENER_HEARTBEAT_TIMEOUT_MS, as parsed. */
export interface ProfileListenerOptions {
  /** How often the connection is checked with a query. */
  heartbeatIntervalMs: number
  /** A check not answered within this is a dropped connection: closed and opened again. */
  heartbeatTimeoutMs: number
  /** Keepalive and timeouts (`DATABASE_*`), as on every pool; the defaults if omitted. */
  connection?: DatabaseConnectionSettings
}

const RECONNECT_DELAY_MS = 500

/**
 * One dedicated connection per process LISTENs for stored profiles and wakes the HTTP requests
 * waiting for them (ProfileWaiters), so a waiting request costs no database work until its
 * profile exists.
 */
export class ProfileListener {
  readonly #waiters = new ProfileWaiters()
  readonly #observers: ListenerObserver[] = []
  readonly #connectionString: string
  readonly #log: FastifyBaseLogger
  readonly #heartbeatIntervalMs: number
  readonly #heartbeatTimeoutMs: number
  readonly #connection: DatabaseConnectionSettings | undefined
  #client: pg.Client | undefined
  #closed = false
  #reconnectTimer: NodeJS.Timeout | undefined

  constructor(connectionString: string, log: FastifyBaseLogger, options: ProfileListenerOptions) {
    this.#connectionString = connectionString
    this.#log = log
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs
    this.#connection = options.connection
  }

  get isListening(): boolean {
    return this.#client !== undefined
  }

  /** Requests waiting now (for a gauge, and for the route's cap). */
  get waiterCount(): number {
    return this.#waiters.count
  }

  /** Before `start`, so the observer hears of the first connection too. */
  observe(observer: ListenerObserver): void {
    this.#observers.push(observer)
  }

  async start(): Promise<void> {
    // A bounded connect; TCP keepalive keeps idle NAT/firewall state alive and lets the OS notice a
    // dead peer. The heartbeat below notices a silent connection much sooner. The idle wait for
    // notifications is no query, so no query timeout cuts it short.
    const client = new pg.Client(pgConnectionConfig(this.#connectionString, this.#connection))
    let heartbeat: NodeJS.Timeout | undefined
    client.on('notification', (message) => {
      if (!message.payload) return
      // Before waking anyone, so a waiter that looks again cannot find what was just replaced.
      for (const observer of this.#observers) observer.changed(message.payload)
      this.#waiters.wake(message.payload, true)
    })
    const lost = (error?: Error) => {
      clearTimeout(heartbeat)
      if (this.#client !== client) return
      this.#client = undefined
      for (const observer of this.#observers) observer.interrupted()
      // With the heartbeat query in flight, end() destroys the socket instead of waiting for a
      // goodbye a silent connection would never deliver.
      client.end().catch(() => undefined)
      if (this.#closed) return
      this.#log.warn({ err: error }, 'profile notifications interrupted; reconnecting')
      // A notification may be lost while disconnected: every waiter looks in the database again.
      this.#waiters.wakeAll(true)
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
    for (const observer of this.#observers) observer.listening()
    // One check at a time: the next is scheduled when the previous one answered.
    const beat = () => {
      heartbeat = setTimeout(async () => {
        if (await this.#answers(client, lost)) beat()
      }, this.#heartbeatIntervalMs)
      heartbeat.unref()
    }
    beat()
    // After a reconnect: a waiter that began while no connection listened may have missed its
    // notification, so every waiter looks in the database again.
    this.#waiters.wakeAll(true)
  }

  /** Subscribe before the first lookup, so a profile stored in between is not missed. */
  wait(userId: string, timeoutMs: number): Waiter {
    return this.#waiters.wait(userId, timeoutMs)
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    for (const observer of this.#observers) observer.interrupted()
    this.#waiters.close()
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => undefined)
  }

  /** A query on the LISTEN connection; no answer in time means the connection is gone (`lost`). */
  async #answers(client: pg.Client, lost: (error: Error) => void): Promise<boolean> {
    if (this.#client !== client) return false
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to the heartbeat within ${this.#heartbeatTimeoutMs} ms`)),
        this.#heartbeatTimeoutMs,
      )
    })
    try {
      await Promise.race([client.query('select 1'), timedOut])
      return this.#client === client
    } catch (error) {
      lost(error as Error)
      return false
    } finally {
      clearTimeout(timer)
    }
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
