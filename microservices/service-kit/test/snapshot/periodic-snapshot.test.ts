import { LogCapture, waitFor } from '@kafka-ref/testkit'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { PeriodicSnapshot } from '../../src/index.ts'

let snapshot: PeriodicSnapshot<number> | undefined
afterEach(() => snapshot?.stop())

function start(read: () => Promise<number>, logs = new LogCapture(), intervalMs = 5) {
  snapshot = new PeriodicSnapshot({ name: 'test', intervalMs, read, log: pino(logs.stream) })
  return snapshot
}

describe('PeriodicSnapshot', () => {
  it('has the first value once started, and newer ones on its interval', async () => {
    let reads = 0
    const counting = start(async () => ++reads)
    expect(counting.value).toBeUndefined()
    await counting.start()
    expect(counting.value).toBe(1)
    await waitFor(() => (counting.value ?? 0) >= 3, { description: 'two more reads' })
  })

  it('never starts a read while one is under way', async () => {
    let running = 0
    let most = 0
    let done = 0
    // Reads four times longer than the interval.
    const slow = start(
      async () => {
        running += 1
        most = Math.max(most, running)
        await new Promise((resolve) => setTimeout(resolve, 20))
        running -= 1
        return ++done
      },
      new LogCapture(),
      5,
    )
    await slow.start()
    await waitFor(() => done >= 5, { description: 'five reads' })
    expect(most).toBe(1)
  })

  it('is undefined after a failed read (never a stale value), logged once per run of failures', async () => {
    const logs = new LogCapture()
    let failing = false
    let reads = 0
    const flaky = start(async () => {
      reads += 1
      if (failing) throw new Error('database unreachable')
      return reads
    }, logs)
    await flaky.start()
    expect(flaky.value).toBe(1)
    failing = true
    await waitFor(() => flaky.value === undefined, { description: 'the failed read' })
    const failedAt = reads
    await waitFor(() => reads >= failedAt + 3, { description: 'more failed reads' })
    expect(logs.lines.filter((line) => line.includes('status read failed'))).toHaveLength(1)
    failing = false
    await waitFor(() => flaky.value !== undefined, { description: 'a good read again' })
    expect(logs.text()).toContain('status read again')
  })

  it('stops: no read after stop(), which waits for the one under way', async () => {
    let reads = 0
    let finished = 0
    const stopping = start(async () => {
      reads += 1
      await new Promise((resolve) => setTimeout(resolve, 20))
      finished += 1
      return reads
    })
    await stopping.start()
    await waitFor(() => reads > finished, { intervalMs: 1, description: 'a read under way' })
    await stopping.stop()
    expect(finished).toBe(reads)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(reads).toBe(finished)
  })
})
