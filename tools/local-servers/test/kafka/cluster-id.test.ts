import { describe, expect, it } from 'vitest'
import { newClusterId } from '../../src/kafka/config.ts'

describe('newClusterId', () => {
  it('never starts with "-", which kafka-storage would read as an option', () => {
    // base64url puts '-' first in 1 of 64 ids: 2,000 draws miss it with probability ~1e-14.
    const ids = Array.from({ length: 2_000 }, newClusterId)
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([])
    expect(new Set(ids.map((id) => id.length))).toEqual(new Set([22]))
  })
})
