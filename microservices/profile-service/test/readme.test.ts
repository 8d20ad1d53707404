import { readFile } from 'node:fs/promises'
import { ENV_SECTION, envTable, METRICS_SECTION, metricsTable, readSection } from '@kafka-ref/service-kit'
import { describe, expect, it } from 'vitest'
import { envSchema } from '../src/config.ts'
import { metricDefinitions } from '../src/metrics/definitions.ts'

describe('README', () => {
  it('documents every variable of the env schema, as `pnpm docs:generate` writes it', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    expect(
      readSection(readme, ENV_SECTION),
      'the configuration table is stale: run `pnpm --filter @kafka-ref/profile-service docs:generate`',
    ).toBe(envTable(envSchema))
  })

  it('documents every metric, as `pnpm docs:generate` writes it', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    expect(
      readSection(readme, METRICS_SECTION),
      'the metrics table is stale: run `pnpm --filter @kafka-ref/profile-service docs:generate`',
    ).toBe(metricsTable(Object.values(metricDefinitions)))
  })
})
