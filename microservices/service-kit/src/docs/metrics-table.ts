import { BASE_METRICS, type MetricDefinition, PROCESS_METRICS_ROW } from '../metrics/metric-definitions.ts'
import { cell, markdownTable } from './env-table.ts'

export const METRICS_SECTION = 'metrics'

/**
 * A service's metrics table for its README: the metrics every service has (HTTP, process), then
 * its own, from the same definitions it registers (a test compares the README with it).
 */
export function metricsTable(definitions: readonly MetricDefinition[]): string {
  const row = (metric: MetricDefinition) => [
    `\`${metric.name}\``,
    metric.type,
    metric.labelNames.map((label) => `\`${label}\``).join(', '),
    cell(metric.help),
  ]
  const processRow = [PROCESS_METRICS_ROW.name, PROCESS_METRICS_ROW.type, '', PROCESS_METRICS_ROW.help]
  return markdownTable(
    ['Metric', 'Type', 'Labels', 'Meaning'],
    [...BASE_METRICS.map(row), processRow, ...definitions.map(row)],
  )
}
