import { ConfigError, DATABASE_CONNECTION_DEFAULTS, HTTP_TIMEOUT_DEFAULTS } from '@kafka-ref/service-kit'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.ts'

const DAY = 86_400_000
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
        enabled: true,
        batchSize: 1_000,
        start: 'earliest',
        commitIntervalMs: 0,
        retry: { initialMs: 100, maxMs: 10_000 },
        messageMaxBytes: 1_048_588,
      },
    })
    expect(Object.isFrozen(config.consumer)).toBe(true)
    expect(Object.isFrozen(config.consumer.retry)).toBe(true)
    expect(config).toMatchObject({
      databasePoolMax: 10,
      consumer: { databasePoolMax: 2 },
      profiles: {
        maxWaiters: 1_000,
        rateLimit: { max: 600, windowMs: 60_000 },
        heartbeatIntervalMs: 10_000,
        heartbeatTimeoutMs: 5_000,
      },
    })
    expect(config.processedEvents).toEqual({ retentionMs: 30 * DAY, intervalMs: 3_600_000 })
    // Each pool and the HTTP server get service-kit's defaults (tested there).
    expect(config.databaseConnection).toEqual(DATABASE_CONNECTION_DEFAULTS)
    expect(config.httpTimeouts).toEqual(HTTP_TIMEOUT_DEFAULTS)
  })

  it('refuses a connection timeout that would cut off the longest answer (a 10 s wait between two lookups)', () => {
    // 10 s of waitMs plus two lookups of up to DATABASE_QUERY_TIMEOUT_MS each, with no byte sent.
    const env = { ...required, DATABASE_STATEMENT_TIMEOUT_MS: '2000', DATABASE_QUERY_TIMEOUT_MS: '3000' }
    expect(() => parseConfig({ ...env, HTTP_CONNECTION_TIMEOUT_MS: '16000' })).toThrow(ConfigError)
    expect(() => parseConfig({ ...env, HTTP_CONNECTION_TIMEOUT_MS: '16000' })).toThrow(
      /HTTP_CONNECTION_TIMEOUT_MS \(16000\) must be above 16000/,
    )
    expect(
      parseConfig({ ...env, HTTP_CONNECTION_TIMEOUT_MS: '16001' }).httpTimeouts.connectionTimeoutMs,
    ).toBe(16_001)
    expect(parseConfig({ ...env, HTTP_CONNECTION_TIMEOUT_MS: '0' }).httpTimeouts.connectionTimeoutMs).toBe(0)
  })

  it('reads the limits of the read side', () => {
    const config = parseConfig({
      ...required,
      DATABASE_POOL_MAX: '4',
      CONSUMER_DATABASE_POOL_MAX: '1',
      PROFILE_MAX_WAITERS: '0',
      PROFILE_RATE_LIMIT_MAX: '5',
      PROFILE_RATE_LIMIT_WINDOW_MS: '1000',
      PROFILE_LISTENER_HEARTBEAT_MS: '2000',
      PROFILE_LISTENER_HEARTBEAT_TIMEOUT_MS: '500',
    })
    expect(config).toMatchObject({
      databasePoolMax: 4,
      consumer: { databasePoolMax: 1 },
      profiles: {
        maxWaiters: 0,
        rateLimit: { max: 5, windowMs: 1000 },
        heartbeatIntervalMs: 2000,
        heartbeatTimeoutMs: 500,
      },
    })
    expect(() => parseConfig({ ...required, DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX/)
    expect(() => parseConfig({ ...required, PROFILE_MAX_WAITERS: '-1' })).toThrow(/PROFILE_MAX_WAITERS/)
  })

  it('keeps processed event ids longer than Kafka can redeliver them by default', () => {
    // Kafka's defaults: retention.ms 7 d, and a record goes only with its segment (segment.ms 7 d).
    const kafkaRedeliversUpTo = 7 * DAY + 7 * DAY
    expect(parseConfig(required).processedEvents.retentionMs).toBeGreaterThan(kafkaRedeliversUpTo)
    expect(() => parseConfig({ ...required, DEDUP_RETENTION_MS: String(DAY - 1) })).toThrow(
      /DEDUP_RETENTION_MS/,
    )
  })

  it('switches the consumer off with CONSUMER_ENABLED=false, for an instance that only serves HTTP', () => {
    expect(parseConfig({ ...required, CONSUMER_ENABLED: 'false' }).consumer.enabled).toBe(false)
    expect(() => parseConfig({ ...required, CONSUMER_ENABLED: 'no' })).toThrow(/CONSUMER_ENABLED/)
  })

  it('accepts every user_register version it knows unless held to some (CONSUMER_ACCEPTED_DATA_VERSIONS)', () => {
    expect(parseConfig(required).consumer.acceptedDataVersions).toEqual([1, 2])
    const held = parseConfig({ ...required, CONSUMER_ACCEPTED_DATA_VERSIONS: ' 1 ' })
    expect(held.consumer.acceptedDataVersions).toEqual([1])
    for (const bad of ['3', '1,x', '', '0'])
      expect(() => parseConfig({ ...required, CONSUMER_ACCEPTED_DATA_VERSIONS: bad }), bad).toThrow(
        /CONSUMER_ACCEPTED_DATA_VERSIONS/,
      )
  })

  it('names the bad variable', () => {
    expect(() => parseConfig({ ...required, CONSUMER_START: 'middle' })).toThrow(ConfigError)
    expect(() => parseConfig({ ...required, CONSUMER_BATCH_SIZE: '0' })).toThrow(/CONSUMER_BATCH_SIZE/)
    expect(() => parseConfig({ KAFKA_BROKERS: 'a:1' })).toThrow(/DATABASE_URL/)
  })
})
