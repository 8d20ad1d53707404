import { ConfigError, DATABASE_CONNECTION_DEFAULTS, HTTP_TIMEOUT_DEFAULTS } from '@kafka-ref/service-kit'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.ts'

const required = {
  DATABASE_URL: 'postgres://user@localhost:5432/users',
  KAFKA_BROKERS: 'localhost:9092, localhost:9093',
}

describe('parseConfig', () => {
  it('applies the defaults', () => {
    const config = parseConfig(required)
    expect(config).toMatchObject({
      port: 3001,
      kafkaBrokers: ['localhost:9092', 'localhost:9093'],
      kafkaTopicNamespace: '',
      kafkaClientId: 'user-service',
      registration: {
        rateLimit: { max: 20, windowMs: 60_000 },
        eventDataVersion: 1,
        passwordHash: { cost: 17, concurrency: 2, queueMax: 64 },
      },
      outbox: {
        enabled: true,
        batchSize: 500,
        pollIntervalMs: 1000,
        leaseMs: 30_000,
        sendAttempts: 3,
        releaseBackoffMaxMs: 300_000,
      },
    })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.outbox)).toBe(true)
    expect(Object.isFrozen(config.registration.passwordHash)).toBe(true)
    // Each pool and the HTTP server get service-kit's defaults (tested there).
    expect(config.databaseConnection).toEqual(DATABASE_CONNECTION_DEFAULTS)
    expect(config.httpTimeouts).toEqual(HTTP_TIMEOUT_DEFAULTS)
  })

  it('names a missing variable in one line', () => {
    expect(() => parseConfig({ KAFKA_BROKERS: 'localhost:9092' })).toThrowError(ConfigError)
    expect(() => parseConfig({ KAFKA_BROKERS: 'localhost:9092' })).toThrowError(/^[^\n]*DATABASE_URL[^\n]*$/)
  })

  it('writes user_register v2 only when told to', () => {
    expect(parseConfig({ ...required, USER_REGISTER_DATA_VERSION: '2' }).registration.eventDataVersion).toBe(
      2,
    )
    expect(() => parseConfig({ ...required, USER_REGISTER_DATA_VERSION: '3' })).toThrowError(
      /USER_REGISTER_DATA_VERSION/,
    )
  })

  it('names a malformed variable', () => {
    expect(() => parseConfig({ ...required, OUTBOX_ENABLED: 'maybe' })).toThrowError(/OUTBOX_ENABLED/)
    expect(() => parseConfig({ ...required, PASSWORD_HASH_COST: '30' })).toThrowError(/PASSWORD_HASH_COST/)
  })
})
