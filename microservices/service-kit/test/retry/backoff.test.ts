import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../src/index.ts'

const options = { initialMs: 100, maxMs: 5_000 }

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const highest = () => 1 - Number.EPSILON
    expect([1, 2, 3, 4, 7, 20].map((attempt) => backoffDelay(attempt, options, highest))).toEqual([
      100, 200, 400, 800, 5_000, 5_000,
    ])
  })

  it('spreads each delay between half and all of it', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(200)
    expect(backoffDelay(3, options, () => 0.5)).toBe(300)
    const delays = Array.from({ length: 200 }, () => backoffDelay(3, options))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(200)
    expect(Math.max(...delays)).toBeLessThanOrEqual(400)
    expect(new Set(delays).size).toBeGreaterThan(10)
  })
})
