import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../src/consumer/backoff.ts'

describe('backoffDelay', () => {
  const top = () => 1 - Number.EPSILON

  it('doubles from the initial delay up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, 100, 1000, top))
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('spreads retries between half and all of the delay', () => {
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(200)
    expect(backoffDelay(50, 100, 1000, () => 0)).toBe(500)
  })
})
