import { describe, expect, it } from 'vitest'
import { brokersOption, MAX_LOCAL_BROKERS, UsageError } from '../../src/cli/run-cli.ts'

describe('--brokers', () => {
  it('is one broker unless given', () => {
    expect(brokersOption(undefined)).toBe(1)
    expect(brokersOption('3')).toBe(3)
    expect(brokersOption(String(MAX_LOCAL_BROKERS))).toBe(MAX_LOCAL_BROKERS)
  })

  it.each(['0', '-1', '2.5', 'three', '', String(MAX_LOCAL_BROKERS + 1)])(
    'refuses %j as a usage error',
    (flag) => {
      expect(() => brokersOption(flag)).toThrow(UsageError)
      expect(() => brokersOption(flag)).toThrow(/invalid broker count .* \(from --brokers\)/)
    },
  )
})
