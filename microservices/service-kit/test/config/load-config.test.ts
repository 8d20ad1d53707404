import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, commonEnv, envBoolean, loadConfig } from '../../src/index.ts'

const schema = z.object({ ...commonEnv({ port: 3000, metricsPort: 9464 }), FEATURE: envBoolean(false) })
const valid = { DATABASE_URL: 'postgres://u:p@localhost:5432/db', KAFKA_BROKERS: 'a:9092, b:9092' }

describe('loadConfig', () => {
  it('applies defaults and parses lists', () => {
    const config = loadConfig(schema, valid)
    expect(config).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', KAFKA_BROKERS: ['a:9092', 'b:9092'] })
    expect(config.CORS_ORIGINS).toEqual([])
    expect(config.FEATURE).toBe(false)
  })

  it('returns a deeply frozen object', () => {
    const config = loadConfig(schema, valid)
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true)
  })

  it('fails with one line naming each bad variable', () => {
    const attempt = () => loadConfig(schema, { ...valid, PORT: 'eighty', DATABASE_URL: 'mysql://x' })
    expect(attempt).toThrow(ConfigError)
    try {
      attempt()
    } catch (error) {
      const message = (error as Error).message
      expect(message.split('\n')).toHaveLength(1)
      expect(message).toMatch(/PORT: .*"eighty"/)
      expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/)
    }
  })

  it('never echoes the password of a bad URL', () => {
    const attempt = () =>
      loadConfig(schema, { ...valid, DATABASE_URL: 'postgres://app:s3cr#t@db:5432/users' })
    expect(attempt).toThrow(
      /DATABASE_URL: must be a postgres:\/\/ URL \(got "postgres:\/\/\*\*\*@db:5432\/users"\)/,
    )
    expect(() => loadConfig(schema, { ...valid, DATABASE_URL: 'mysql://app:s3/cr3t@db/users' })).toThrow(
      /got "mysql:\/\/\*\*\*@db\/users"/,
    )
  })

  it.each([
    ['user:pass@host without a scheme', 'app:s3cret@db/app', '***@db/app'],
    ['user:pass@host whose password holds "@" and "="', 'app:s3c=r@t@db:5432/app', '***@db:5432/app'],
    ['libpq keyword/value', 'host=db user=app password=s3cret dbname=app', 'password=*** dbname=app'],
    ['libpq keyword/value, spaces around "="', 'host=db password = s3cret', 'password = ***'],
    [
      'libpq keyword/value, quoted',
      "host=db password='s3cret with \\' quote' dbname=app",
      'password=*** dbname=app',
    ],
    ['a password in the query string', 'mysql://db/app?user=app&password=s3cret', 'password=***'],
    ['sslpassword', 'host=db sslpassword=s3cret', 'sslpassword=***'],
  ])('never echoes the password of %s', (_, value, masked) => {
    let message = ''
    try {
      loadConfig(schema, { ...valid, DATABASE_URL: value })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/^Invalid configuration: DATABASE_URL: /)
    expect(message).not.toContain('s3c')
    expect(message).toContain(masked)
  })

  it('TRUST_PROXY is off by default', () => {
    expect(loadConfig(schema, valid).TRUST_PROXY).toBe(false)
    expect(loadConfig(schema, { ...valid, TRUST_PROXY: '' }).TRUST_PROXY).toBe(false)
  })

  it('TRUST_PROXY takes proxy addresses, CIDRs and named ranges', () => {
    expect(
      loadConfig(schema, { ...valid, TRUST_PROXY: '10.0.0.7, 172.16.0.0/12,fd00::/8 ,::1, loopback' })
        .TRUST_PROXY,
    ).toEqual(['10.0.0.7', '172.16.0.0/12', 'fd00::/8', '::1', 'loopback'])
  })

  it.each([
    'true',
    '*',
    '0.0.0.0/0',
    '::/0',
    '2',
    '10.0.0.300',
    '10.0.0.0/33',
    'proxy.internal',
    '10.0.0.1,,true',
  ])('TRUST_PROXY rejects %j with one line naming it', (value) => {
    let message = ''
    try {
      loadConfig(schema, { ...valid, TRUST_PROXY: value })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/^Invalid configuration: TRUST_PROXY: /)
    expect(message.split('\n')).toHaveLength(1)
  })

  it('names a missing required variable', () => {
    expect(() => loadConfig(schema, { DATABASE_URL: valid.DATABASE_URL })).toThrow(/KAFKA_BROKERS/)
  })
})
