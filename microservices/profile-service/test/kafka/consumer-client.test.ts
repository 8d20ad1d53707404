import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import {
  consumerGlobalConfig,
  heartbeatIntervalMs,
  RECONNECT_BACKOFF_MAX_MS,
} from '../../src/kafka/consumer-client.ts'

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

describe('static group membership', () => {
  const identity = { brokers: ['127.0.0.1:9092'], clientId: 'profile-service', groupId: 'profile-service' }
  const callbacks = { onRebalance: () => undefined, onCommitted: () => undefined }
  const globalConfig = (env: Record<string, string>) =>
    consumerGlobalConfig(
      {
        ...parseConfig({
          DATABASE_URL: 'postgres://u:p@127.0.0.1/db',
          KAFKA_BROKERS: '127.0.0.1:9092',
          ...env,
        }).consumer,
        ...identity,
      },
      callbacks,
    )

  it('is off unless CONSUMER_GROUP_INSTANCE_ID names the instance', () => {
    expect(globalConfig({})).not.toHaveProperty('group.instance.id')
    expect(globalConfig({ CONSUMER_GROUP_INSTANCE_ID: 'profile-service-0' })).toMatchObject({
      'group.instance.id': 'profile-service-0',
    })
  })

  it('refuses a name Kafka would not take, naming the variable', () => {
    expect(() => globalConfig({ CONSUMER_GROUP_INSTANCE_ID: 'pod 0' })).toThrow(/CONSUMER_GROUP_INSTANCE_ID/)
  })
})
