import { describe, expect, it } from 'vitest'
import type { DeadLetter } from '../../../src/cli/dlq/dead-letter.ts'
import { decide, type Rules } from '../../../src/cli/dlq/decide.ts'

const deadLetter = (overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  partition: 0,
  offset: 0,
  key: null,
  value: null,
  originalHeaders: [],
  reason: 'unsupported_version',
  error: '',
  source: { topic: 'user_register', partition: 2, offset: 5 },
  failedAt: new Date('2026-12-01T10:00:00Z'),
  truncated: false,
  redriveCount: 0,
  dataVersion: '2',
  ...overrides,
})
const rules = (overrides: Partial<Rules['filters']> = {}, cap = 3): Rules => ({
  filters: { reasons: [], ...overrides },
  cap,
  sourceTopic: 'user_register',
  sourcePartitions: 3,
})

describe('decide', () => {
  it('re-drives a dead letter of the source topic below the cap', () => {
    expect(decide(deadLetter(), rules())).toBe('redriven')
    expect(decide(deadLetter({ redriveCount: 2 }), rules())).toBe('redriven')
  })

  it('skips one re-driven as often as the cap allows', () => {
    expect(decide(deadLetter({ redriveCount: 3 }), rules())).toBe('capped')
    expect(decide(deadLetter({ redriveCount: 1 }), rules({}, 1))).toBe('capped')
  })

  it('never re-drives a truncated copy, even below the cap', () => {
    expect(decide(deadLetter({ truncated: true }), rules())).toBe('truncated')
  })

  it('reports one whose origin is missing, another topic, or a partition the topic lacks', () => {
    expect(decide(deadLetter({ source: undefined }), rules())).toBe('invalid')
    expect(decide(deadLetter({ source: { topic: 'other', partition: 0, offset: 0 } }), rules())).toBe(
      'invalid',
    )
    expect(decide(deadLetter({ source: { topic: 'user_register', partition: 3, offset: 0 } }), rules())).toBe(
      'invalid',
    )
  })

  it('leaves alone what the filters leave out: reason, and dead-lettered before since or from until on', () => {
    expect(decide(deadLetter(), rules({ reasons: ['schema_violation'] }))).toBe('filtered')
    expect(decide(deadLetter(), rules({ reasons: ['schema_violation', 'unsupported_version'] }))).toBe(
      'redriven',
    )
    expect(decide(deadLetter(), rules({ since: new Date('2026-12-01T10:00:01Z') }))).toBe('filtered')
    expect(decide(deadLetter(), rules({ until: new Date('2026-12-01T10:00:00Z') }))).toBe('filtered')
    expect(decide(deadLetter(), rules({ since: new Date('2026-12-01T10:00:00Z') }))).toBe('redriven')
    // Filtered first: a truncated one outside the filters is not reported as truncated.
    expect(
      decide(deadLetter({ truncated: true, reason: 'not_json' }), rules({ reasons: ['schema_violation'] })),
    ).toBe('filtered')
  })
})
