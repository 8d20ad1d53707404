import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../src/outbox/backoff.ts'

describe('backoffDelay', () => {
  it('doubles from 100 ms and stops at 5 s', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => backoffDelay(attempt))
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000])
  })
})
