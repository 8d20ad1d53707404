import { backoffDelay } from '@kafka-ref/service-kit'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BACKOFF } from '../../src/outbox/relay.ts'

// The wait between failed sends is how late the relay notices that Kafka is back; issue 12 wants
// the whole backlog through within 5 s of a broker's return, consumer included.
describe('relay back-off between failed sends', () => {
  it('never waits more than a second, however long the outage', () => {
    for (let attempt = 1; attempt <= 100; attempt++)
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 1)).toBeLessThanOrEqual(1_000)
  })

  it('does not retry a down broker in a tight loop either', () => {
    expect(backoffDelay(10, DEFAULT_BACKOFF, () => 0)).toBeGreaterThanOrEqual(500)
  })
})
