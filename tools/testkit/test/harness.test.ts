import { describe, expect, it, vi } from 'vitest'
import { Harness } from '../src/harness.ts'

describe('Harness', () => {
  it('closes what it tracks last first, and every one even when one fails', async () => {
    const harness = new Harness()
    const closed: string[] = []
    harness.defer(async () => closed.push('first'))
    harness.track({ close: async () => closed.push('closable') })
    harness.track('pool', async (name) => {
      closed.push(name)
      throw new Error('pool would not close')
    })
    harness.defer(() => closed.push('last'))

    await expect(harness.close(false)).rejects.toThrow('pool would not close')
    expect(closed).toEqual(['last', 'pool', 'closable', 'first'])
    // Nothing is closed twice.
    await harness.close(false)
    expect(closed).toHaveLength(4)
  })

  it('prints the failure reports only when the test failed', async () => {
    const print = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const harness = new Harness()
      harness.onFailure(() => 'the service said: boom')
      await harness.close(false)
      expect(print).not.toHaveBeenCalled()
      harness.onFailure(() => 'the service said: boom')
      await harness.close(true)
      expect(print).toHaveBeenCalledWith('the service said: boom')
    } finally {
      print.mockRestore()
    }
  })
})
