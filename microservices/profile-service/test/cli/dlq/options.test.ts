import { describe, expect, it } from 'vitest'
import { parseOptions, UsageError } from '../../../src/cli/dlq/options.ts'

describe('parseOptions', () => {
  it('has the defaults: a real run, cap 3, batches of 100, every reason', () => {
    expect(parseOptions([])).toMatchObject({
      dryRun: false,
      json: false,
      cap: 3,
      batchSize: 100,
      max: undefined,
      filters: { reasons: [], since: undefined, until: undefined },
    })
  })

  it('reads filters, ranges and limits', () => {
    const options = parseOptions([
      '--dry-run',
      '--reason',
      'unsupported_version',
      '--reason',
      'schema_violation',
      '--since',
      '2026-12-01T00:00:00Z',
      '--partition',
      '2',
      '--from-offset',
      '10',
      '--to-offset',
      '20',
      '--max',
      '5',
      '--cap',
      '1',
      '--rate',
      '50',
    ])
    expect(options).toMatchObject({
      dryRun: true,
      filters: {
        reasons: ['unsupported_version', 'schema_violation'],
        since: new Date('2026-12-01T00:00:00Z'),
      },
      partition: 2,
      fromOffset: 10,
      toOffset: 20,
      max: 5,
      cap: 1,
      rate: 50,
    })
  })

  it.each([
    [['--bogus'], /^unknown option '--bogus'; valid options: --dry-run, .*, --help$/],
    [['extra'], /^unexpected argument 'extra'/],
    [['--max', '0'], /--max must be an integer of at least 1, got '0'/],
    [['--cap', 'three'], /--cap must be an integer/],
    [['--since', 'yesterday'], /--since must be an ISO 8601 time/],
    [['--reason'], /argument missing/],
  ])('refuses %j in one line', (args, message) => {
    expect(() => parseOptions(args)).toThrowError(UsageError)
    expect(() => parseOptions(args)).toThrowError(message)
  })
})
