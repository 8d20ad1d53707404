import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MetricDefinition } from '../metrics/metric-definitions.ts'
import { writeSection } from './env-table.ts'
import { METRICS_SECTION, metricsTable } from './metrics-table.ts'

// Usage (from a service folder): tsx --conditions=source ../service-kit/src/docs/write-metrics-docs.ts
//   src/metrics/definitions.ts README.md — writes the metrics table between the README's markers.
const [definitionsModule, readme] = process.argv.slice(2)
if (!definitionsModule || !readme) {
  console.error('usage: write-metrics-docs <module exporting metricDefinitions> <README.md>')
  process.exit(2)
}
const { metricDefinitions } = (await import(pathToFileURL(resolve(definitionsModule)).href)) as {
  metricDefinitions: Record<string, MetricDefinition>
}
const text = await readFile(readme, 'utf8')
await writeFile(readme, writeSection(text, METRICS_SECTION, metricsTable(Object.values(metricDefinitions))))
console.log(`${readme}: metrics table written from ${definitionsModule}`)
