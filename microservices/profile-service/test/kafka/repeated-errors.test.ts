import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { repeatedErrorLog } from '../../src/kafka/repeated-errors.ts'

function capture() {
  const lines: Array<{ msg: string; repeated?: number; err: { message: string } }> = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()))
      done()
    },
  })
  return { lines, log: pino({ level: 'warn' }, stream) }
}
const flush = () => new Promise((resolve) => setImmediate(resolve))

describe('repeatedErrorLog', () => {
  it('logs the first error of a kind, counts its repeats within the interval into the next line', async () => {
    const { lines, log } = capture()
    let clock = 0
    const warn = repeatedErrorLog(log, 'kafka consumer error', { intervalMs: 10_000, now: () => clock })
    const down = new Error('Local: All broker connections are down')
    for (; clock < 20_000; clock += 200) warn(down)
    await flush()
    expect(lines.map((line) => [line.msg, line.err.message, line.repeated])).toEqual([
      ['kafka consumer error', down.message, undefined],
      ['kafka consumer error', down.message, 49],
    ])
  })

  it('logs each kind of error on its own', async () => {
    const { lines, log } = capture()
    const warn = repeatedErrorLog(log, 'kafka consumer error', { now: () => 0 })
    warn(new Error('Local: Broker transport failure'))
    warn(new Error('Local: All broker connections are down'))
    warn(new Error('Local: Broker transport failure'))
    await flush()
    expect(lines.map((line) => line.err.message)).toEqual([
      'Local: Broker transport failure',
      'Local: All broker connections are down',
    ])
  })
})
