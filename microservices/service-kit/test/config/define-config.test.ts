import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, commonEnv, defineConfig, envInt } from '../../src/index.ts'

const parseConfig = defineConfig(
  z.object({
    ...commonEnv({ port: 3000, metricsPort: 9464 }),
    BATCH_SIZE: envInt(10, { min: 1 }).describe('rows'),
  }),
  (raw) => ({ batch: { size: raw.BATCH_SIZE } }),
)
const required = { DATABASE_URL: 'postgres://u:p@db:5432/app', KAFKA_BROKERS: 'k:9092' }

describe('defineConfig', () => {
  it('maps the common and the service variables into one deeply frozen object', () => {
    const config = parseConfig({ ...required, BATCH_SIZE: '25' })
    expect(config).toMatchObject({ port: 3000, kafkaBrokers: ['k:9092'], batch: { size: 25 } })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.batch)).toBe(true)
  })

  it('gives every database connection keepalive and timeouts, and the HTTP server its timeouts, by default', () => {
    expect(parseConfig(required)).toMatchObject({
      databaseConnection: {
        keepAliveInitialDelayMs: 10_000,
        statementTimeoutMs: 10_000,
        queryTimeoutMs: 15_000,
        idleInTransactionTimeoutMs: 10_000,
      },
      httpTimeouts: { requestTimeoutMs: 10_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000 },
    })
    const tuned = parseConfig({
      ...required,
      DATABASE_KEEPALIVE_INITIAL_DELAY_MS: '0',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
      DATABASE_QUERY_TIMEOUT_MS: '0',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '60000',
      HTTP_REQUEST_TIMEOUT_MS: '30000',
      HTTP_CONNECTION_TIMEOUT_MS: '0',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
    })
    expect(tuned.databaseConnection).toEqual({
      keepAliveInitialDelayMs: 0,
      statementTimeoutMs: 0,
      queryTimeoutMs: 0,
      idleInTransactionTimeoutMs: 60_000,
    })
    expect(tuned.httpTimeouts).toEqual({
      requestTimeoutMs: 30_000,
      connectionTimeoutMs: 0,
      keepAliveTimeoutMs: 5_000,
    })
  })

  it('refuses a query timeout that would fire before the server cancels the statement', () => {
    for (const [statement, query] of [
      ['10000', '10000'],
      ['10000', '5000'],
      ['0', '5000'],
    ]) {
      const env = { ...required, DATABASE_STATEMENT_TIMEOUT_MS: statement, DATABASE_QUERY_TIMEOUT_MS: query }
      expect(() => parseConfig(env)).toThrow(ConfigError)
      expect(() => parseConfig(env)).toThrow(
        /DATABASE_QUERY_TIMEOUT_MS .* must be above DATABASE_STATEMENT_TIMEOUT_MS/,
      )
    }
  })

  it('fails with the one-line error of loadConfig', () => {
    expect(() => parseConfig({ ...required, BATCH_SIZE: '0' })).toThrow(ConfigError)
    expect(() => parseConfig({ ...required, BATCH_SIZE: '0' })).toThrow(/^Invalid configuration: BATCH_SIZE/)
  })
})
