import { describe, expect, it } from 'vitest'
import { retryAfterSeconds } from '../src/api/retry-after.ts'

describe('retryAfterSeconds', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterSeconds('60')).toBe(60)
    expect(retryAfterSeconds(' 0 ')).toBe(0)
  })

  it('reads an HTTP-date relative to now, never negative', () => {
    const now = Date.parse('2026-11-29T10:00:00Z')
    expect(retryAfterSeconds('Sun, 29 Nov 2026 10:00:30 GMT', now)).toBe(30)
    expect(retryAfterSeconds('Sun, 29 Nov 2026 09:59:00 GMT', now)).toBe(0)
  })

  it('gives undefined for a missing or unreadable header', () => {
    expect(retryAfterSeconds(null)).toBeUndefined()
    expect(retryAfterSeconds('')).toBeUndefined()
    expect(retryAfterSeconds('soon')).toBeUndefined()
    expect(retryAfterSeconds('-5')).toBeUndefined()
  })
})
