import { readFileSync } from 'node:fs'
import { ENV_SECTION, envTable, METRICS_SECTION, metricsTable, readSection } from '@kafka-ref/service-kit'
import { describe, expect, it } from 'vitest'
import { envSchema } from '../src/config.ts'
import { metricDefinitions } from '../src/metrics/definitions.ts'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README', () => {
  it('documents every variable of the env schema as the schema says (else run: pnpm --filter @kafka-ref/user-service docs:generate)', () => {
    // envTable throws for a variable without a description, naming it.
    expect(readSection(readme, ENV_SECTION)).toBe(envTable(envSchema))
  })

  it('documents every metric, as `pnpm docs:generate` writes it', () => {
    expect(
      readSection(readme, METRICS_SECTION),
      'the metrics table is stale: run `pnpm --filter @kafka-ref/user-service docs:generate`',
    ).toBe(metricsTable(Object.values(metricDefinitions)))
  })
})
