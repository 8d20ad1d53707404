import { describe, expect, it } from 'vitest'
import { WakeSignal } from '../../src/outbox/wake-signal.ts'

const elapsed = async (fn: () => Promise<void>) => {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

describe('WakeSignal', () => {
  it('ends a wait when woken', async () => {
    const signal = new WakeSignal()
    setTimeout(() => signal.wake(), 20)
    expect(await elapsed(() => signal.wait(5000))).toBeLessThan(1000)
  })

  it('remembers a wake that came before the wait', async () => {
    const signal = new WakeSignal()
    signal.wake()
    expect(await elapsed(() => signal.wait(5000))).toBeLessThan(50)
    expect(await elapsed(() => signal.wait(100))).toBeGreaterThanOrEqual(90)
  })

  it('ignores wakes during a backoff but keeps them for the next wait', async () => {
    const signal = new WakeSignal()
    setTimeout(() => signal.wake(), 10)
    expect(await elapsed(() => signal.wait(150, { wakeable: false }))).toBeGreaterThanOrEqual(140)
    expect(await elapsed(() => signal.wait(5000))).toBeLessThan(50)
  })

  it('ends every wait once closed', async () => {
    const signal = new WakeSignal()
    setTimeout(() => signal.close(), 20)
    expect(await elapsed(() => signal.wait(5000, { wakeable: false }))).toBeLessThan(1000)
    expect(await elapsed(() => signal.wait(5000))).toBeLessThan(50)
  })
})
