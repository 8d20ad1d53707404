import { LRUCache } from 'lru-cache'
import { userIdKey } from './user-id-key.ts'

/** PROFILE_CACHE_MAX_ENTRIES and PROFILE_CACHE_MAX_BYTES, as parsed; either `0` disables the cache. */
export interface ProfileCacheOptions {
  maxEntries: number
  maxBytes: number
}

/**
 * What a lookup in the database holds until it knows whether its answer may be cached: taken
 * before the query is sent, released once it answered (after `store`, if it found the profile).
 */
export interface ReadTicket {
  readonly key: string
  readonly epoch: number
  readonly generation: number
  readonly inflight: Inflight
  released: boolean
}

interface Inflight {
  /** Notifications for this key heard since the first of the lookups under way began. */
  generation: number
  lookups: number
}

/**
 * Profiles as served (their JSON, so a hit costs no serialization), bounded by entries and bytes,
 * kept coherent by the `profile_created` notifications every instance hears: each one evicts its
 * profile, and a lookup that began before a notification for its key is never cached (it may have
 * read the row the notification announced was replaced). While nothing listens, updates go
 * unheard: the cache is emptied when the connection is lost and when it listens again, and
 * caches nothing in between; a lookup that began before either is never cached.
 *
 * Only found profiles are cached: a missing one may be stored at any moment, and waiting
 * requests rely on the database for it.
 */
export class ProfileCache {
  readonly #entries: LRUCache<string, string> | undefined
  /** Lookups under way by key, so a notification can spoil them; as small as the concurrency. */
  readonly #inflight = new Map<string, Inflight>()
  #listening = false
  /** Changes whenever the listening connection is lost or listens again. */
  #epoch = 0
  #hits = 0
  #misses = 0

  constructor(options: ProfileCacheOptions) {
    if (options.maxEntries === 0 || options.maxBytes === 0) return
    this.#entries = new LRUCache<string, string>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (json, key) => Buffer.byteLength(json) + key.length,
    })
  }

  get enabled(): boolean {
    return this.#entries !== undefined
  }

  get size(): number {
    return this.#entries?.size ?? 0
  }

  get bytes(): number {
    return this.#entries?.calculatedSize ?? 0
  }

  get hits(): number {
    return this.#hits
  }

  get misses(): number {
    return this.#misses
  }

  /** Keys with a lookup under way (for tests: a lookup that is never released would grow it). */
  get keysInFlight(): number {
    return this.#inflight.size
  }

  /** The profile's JSON, if cached. */
  get(userId: string): string | undefined {
    if (!this.#entries) return undefined
    const json = this.#entries.get(userIdKey(userId))
    if (json) this.#hits += 1
    else this.#misses += 1
    return json
  }

  /** Before the lookup's query is sent; `release` it in any case (a `finally`). */
  begin(userId: string): ReadTicket | undefined {
    if (!this.#entries || !this.#listening) return undefined
    const key = userIdKey(userId)
    let inflight = this.#inflight.get(key)
    if (!inflight) {
      inflight = { generation: 0, lookups: 0 }
      this.#inflight.set(key, inflight)
    }
    inflight.lookups += 1
    return { key, epoch: this.#epoch, generation: inflight.generation, inflight, released: false }
  }

  /** Caches what the lookup found, unless a notification or a reconnect may have made it stale. */
  store(ticket: ReadTicket | undefined, json: string): void {
    if (!ticket) return
    if (this.#listening && ticket.epoch === this.#epoch && ticket.generation === ticket.inflight.generation) {
      this.#entries?.set(ticket.key, json)
    }
  }

  release(ticket: ReadTicket | undefined): void {
    if (!ticket || ticket.released) return
    ticket.released = true
    ticket.inflight.lookups -= 1
    if (ticket.inflight.lookups === 0 && this.#inflight.get(ticket.key) === ticket.inflight)
      this.#inflight.delete(ticket.key)
  }

  /** A `profile_created` notification: the profile was stored or changed. */
  changed(userId: string): void {
    const key = userIdKey(userId)
    this.#entries?.delete(key)
    const inflight = this.#inflight.get(key)
    if (inflight) inflight.generation += 1
  }

  /** The connection listens (again): notifications are heard from now on. */
  listening(): void {
    this.#reset()
    this.#listening = true
  }

  /** The connection is lost (or closed): notifications may go unheard from now on. */
  interrupted(): void {
    this.#reset()
    this.#listening = false
  }

  #reset() {
    this.#epoch += 1
    this.#entries?.clear()
  }
}
