import { describe, expect, it } from 'vitest'
import { waitFor } from '../src/wait-for.ts'

describe('waitFor', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    let calls = 0
    const value = await waitFor(() => (++calls >= 3 ? { calls } : calls === 1 ? undefined : false), {
      intervalMs: 1,
    })
    expect(value).toEqual({ calls: 3 })
  })

  it('counts an error as "not yet" and names the last one when the deadline passes', async () => {
    let calls = 0
    const failing = () => {
      calls += 1
      throw new Error(`not ready (${calls})`)
    }
    const error = await waitFor(failing, { timeoutMs: 30, intervalMs: 1, description: 'the thing' }).catch(
      (e: unknown) => e as Error,
    )
    expect(calls).toBeGreaterThan(1)
    expect(error.message).toMatch(
      /^waitFor\(the thing\) timed out after 30 ms: last error: not ready \(\d+\)$/,
    )
  })

  it("with errors: 'throw' rejects with the first error instead of trying again", async () => {
    let calls = 0
    const broken = new Error('the query itself is wrong')
    const failing = async () => {
      calls += 1
      throw broken
    }
    await expect(waitFor(failing, { timeoutMs: 5_000, intervalMs: 1, errors: 'throw' })).rejects.toBe(broken)
    expect(calls).toBe(1)
  })
})
