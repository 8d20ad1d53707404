import { describe, expect, it } from 'vitest'
import { ProfileCache } from '../../src/profiles/profile-cache.ts'

const ID = '6f1c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4'
const OTHER = '0b7c2e5a-1d3f-4e6a-9b8c-7d6e5f4a3b2c'
const json = (text: string) => JSON.stringify({ text })

/** A cache whose connection listens, as after the listener's first connect. */
function listeningCache(options = { maxEntries: 100, maxBytes: 1_000_000 }) {
  const cache = new ProfileCache(options)
  cache.listening()
  return cache
}

/** One lookup from begin to release, as the route does it. */
function lookup(cache: ProfileCache, id: string, found: string) {
  const ticket = cache.begin(id)
  cache.store(ticket, found)
  cache.release(ticket)
}

describe('ProfileCache', () => {
  it('serves what a lookup stored, whatever case the id is spelled in', () => {
    const cache = listeningCache()
    lookup(cache, ID, json('v1'))
    expect(cache.get(ID.toUpperCase())?.toString()).toBe(json('v1').toString())
    expect(cache.hits).toBe(1)
    expect(cache.get(OTHER)).toBeUndefined()
    expect(cache.misses).toBe(1)
  })

  it('forgets a profile when its notification is heard', () => {
    const cache = listeningCache()
    lookup(cache, ID, json('v1'))
    lookup(cache, OTHER, json('other'))
    cache.changed(ID.toUpperCase())
    expect(cache.get(ID)).toBeUndefined()
    expect(cache.get(OTHER)).toBeDefined()
  })

  it('does not cache what a lookup read if a notification for its key was heard while it ran', () => {
    const cache = listeningCache()
    // The request reads the old row; the update commits and its notification is heard; then the
    // request's answer arrives.
    const stale = cache.begin(ID)
    const concurrent = cache.begin(ID)
    cache.changed(ID)
    // A lookup that began after the notification read the new row.
    const fresh = cache.begin(ID)
    cache.store(stale, json('old'))
    cache.release(stale)
    expect(cache.get(ID)).toBeUndefined()
    cache.store(fresh, json('new'))
    cache.release(fresh)
    cache.store(concurrent, json('old'))
    cache.release(concurrent)
    expect(cache.get(ID)?.toString()).toBe(json('new').toString())
    expect(cache.keysInFlight).toBe(0)
  })

  it('is not spoiled by notifications for other keys', () => {
    const cache = listeningCache()
    const ticket = cache.begin(ID)
    cache.changed(OTHER)
    cache.store(ticket, json('v1'))
    cache.release(ticket)
    expect(cache.get(ID)).toBeDefined()
  })

  it('empties when the connection is lost and caches nothing until it listens again', () => {
    const cache = listeningCache()
    lookup(cache, ID, json('v1'))
    const before = cache.begin(OTHER)
    cache.interrupted()
    expect(cache.get(ID)).toBeUndefined()
    lookup(cache, ID, json('while not listening'))
    expect(cache.get(ID)).toBeUndefined()
    cache.listening()
    // Began before the connection was lost: its update may have gone unheard.
    cache.store(before, json('other'))
    cache.release(before)
    expect(cache.get(OTHER)).toBeUndefined()
    lookup(cache, ID, json('v2'))
    expect(cache.get(ID)?.toString()).toBe(json('v2').toString())
    expect(cache.keysInFlight).toBe(0)
  })

  it('empties when it listens again, and caches no lookup that began before', () => {
    const cache = listeningCache()
    lookup(cache, ID, json('v1'))
    const before = cache.begin(OTHER)
    cache.listening()
    expect(cache.get(ID)).toBeUndefined()
    cache.store(before, json('other'))
    cache.release(before)
    expect(cache.get(OTHER)).toBeUndefined()
  })

  it('caches nothing before the connection first listens', () => {
    const cache = new ProfileCache({ maxEntries: 100, maxBytes: 1_000_000 })
    lookup(cache, ID, json('v1'))
    expect(cache.get(ID)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('keeps at most maxEntries profiles, dropping the least recently used', () => {
    const cache = listeningCache({ maxEntries: 2, maxBytes: 1_000_000 })
    lookup(cache, ID, json('a'))
    lookup(cache, OTHER, json('b'))
    cache.get(ID)
    const third = '4d8a7b6c-5e4f-4a3b-9c2d-1e0f9a8b7c6d'
    lookup(cache, third, json('c'))
    expect(cache.size).toBe(2)
    expect(cache.get(OTHER)).toBeUndefined()
    expect(cache.get(ID)).toBeDefined()
    expect(cache.get(third)).toBeDefined()
  })

  it('keeps at most maxBytes of JSON and ids, and never an entry larger than that', () => {
    const entry = json('x'.repeat(64))
    const entrySize = Buffer.byteLength(entry) + ID.length
    const cache = listeningCache({ maxEntries: 100, maxBytes: 2 * entrySize + 10 })
    const ids = Array.from({ length: 5 }, (_, i) => `${String(i).repeat(8)}-3f4a-4b5c-8d6e-7f8091a2b3c4`)
    for (const id of ids) lookup(cache, id, entry)
    expect(cache.size).toBe(2)
    expect(cache.bytes).toBe(2 * entrySize)
    lookup(cache, ID, json('y'.repeat(1_000)))
    expect(cache.get(ID)).toBeUndefined()
    expect(cache.bytes).toBeLessThanOrEqual(2 * entrySize + 10)
  })

  it('is disabled by a bound of 0', () => {
    for (const options of [
      { maxEntries: 0, maxBytes: 1_000_000 },
      { maxEntries: 100, maxBytes: 0 },
    ]) {
      const cache = new ProfileCache(options)
      cache.listening()
      expect(cache.enabled).toBe(false)
      lookup(cache, ID, json('v1'))
      expect(cache.get(ID)).toBeUndefined()
      expect(cache.keysInFlight).toBe(0)
    }
  })
})
