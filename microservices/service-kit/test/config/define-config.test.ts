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

  it('fails with the one-line error of loadConfig', () => {
    expect(() => parseConfig({ ...required, BATCH_SIZE: '0' })).toThrow(ConfigError)
    expect(() => parseConfig({ ...required, BATCH_SIZE: '0' })).toThrow(/^Invalid configuration: BATCH_SIZE/)
  })
})
