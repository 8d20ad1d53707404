import { ConfigError } from '@kafka-ref/service-kit'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.ts'

const required = { DATABASE_URL: 'postgres://u:p@localhost/profiles', KAFKA_BROKERS: 'a:9092, b:9092' }

describe('parseConfig', () => {
  it('applies the defaults', () => {
    const config = parseConfig(required)
    expect(config).toMatchObject({
      port: 3002,
      kafkaBrokers: ['a:9092', 'b:9092'],
      kafkaTopicNamespace: '',
      kafkaClientId: 'profile-service',
      consumer: {
        batchSize: 100,
        start: 'earliest',
        commitIntervalMs: 0,
        retryInitialMs: 100,
        retryMaxMs: 10_000,
        messageMaxBytes: 1_048_588,
      },
    })
    expect(Object.isFrozen(config.consumer)).toBe(true)
  })

  it('names the bad variable', () => {
    expect(() => parseConfig({ ...required, CONSUMER_START: 'middle' })).toThrow(ConfigError)
    expect(() => parseConfig({ ...required, CONSUMER_BATCH_SIZE: '0' })).toThrow(/CONSUMER_BATCH_SIZE/)
    expect(() => parseConfig({ KAFKA_BROKERS: 'a:1' })).toThrow(/DATABASE_URL/)
  })
})
