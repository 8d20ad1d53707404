import promClient, {
  type Counter,
  type Gauge,
  type Histogram,
  type Registry,
} from '@platformatic/prom-client'
import type { MetricDefinition } from './metric-definitions.ts'

export type { Registry as MetricsRegistry } from '@platformatic/prom-client'

/**
 * prom-client metrics from their definitions. A `collect` callback runs at every scrape: the
 * services read their state there (getters, a query) rather than updating metrics on hot paths.
 */
export function createCounter<L extends string>(
  registry: Registry,
  definition: MetricDefinition<L>,
  collect?: (counter: Counter<L>) => void | Promise<void>,
): Counter<L> {
  return new promClient.Counter<L>({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [registry],
    ...(collect && {
      collect(this: Counter<L>) {
        return collect(this)
      },
    }),
  })
}

export function createGauge<L extends string>(
  registry: Registry,
  definition: MetricDefinition<L>,
  collect?: (gauge: Gauge<L>) => void | Promise<void>,
): Gauge<L> {
  return new promClient.Gauge<L>({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [registry],
    ...(collect && {
      collect(this: Gauge<L>) {
        return collect(this)
      },
    }),
  })
}

export function createHistogram<L extends string>(
  registry: Registry,
  definition: MetricDefinition<L>,
): Histogram<L> {
  return new promClient.Histogram<L>({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    buckets: [...(definition.buckets ?? [])],
    registers: [registry],
  })
}

/**
 * Sets a counter to a total kept elsewhere (a component's own monotonic count), at scrape time.
 * Counters only go up through `inc`, so the difference since the last scrape is added.
 */
export function counterFrom<L extends string>(read: () => number): (counter: Counter<L>) => void {
  let reported = 0
  return (counter) => {
    const total = read()
    if (total > reported) counter.inc(total - reported)
    reported = Math.max(reported, total)
  }
}
