import { describe, expect, it } from 'vitest'
import { heartbeatIntervalMs, RECONNECT_BACKOFF_MAX_MS } from '../../src/kafka/consumer-client.ts'

// The recovery budget of issue 12: partitions served again within the session timeout + 2 s of a
// member's crash, and the consumer back within seconds of a broker restart.
describe('consumer recovery settings', () => {
  it('reconnects to a broker that is back within 1.5 s (librdkafka adds up to +50 % jitter)', () => {
    expect(RECONNECT_BACKOFF_MAX_MS * 1.5).toBeLessThanOrEqual(1_500)
  })

  it('hears of a rebalance within a second, so a takeover fits in the session timeout + 2 s', () => {
    for (const sessionTimeoutMs of [6_000, 10_000, 45_000, 300_000])
      expect(heartbeatIntervalMs(sessionTimeoutMs)).toBeLessThanOrEqual(1_000)
  })

  it('still heartbeats several times per session timeout', () => {
    for (const sessionTimeoutMs of [6_000, 10_000])
      expect(heartbeatIntervalMs(sessionTimeoutMs)).toBeLessThanOrEqual(sessionTimeoutMs / 3)
  })
})
