/**
 * Metrics declared as data (as the env schema is), so a README table can be generated from the same
 * definitions the service registers, and the two cannot drift.
 */

/** Where the Prometheus text is served (on the app's port or on `METRICS_PORT`). */
export const METRICS_PATH = '/metrics'

/** Every metric of the services' own starts with it; the client libraries' standard ones do not. */
export const METRIC_PREFIX = 'kafka_ref_'

export interface MetricDefinition<L extends string = string> {
  type: 'counter' | 'gauge' | 'histogram'
  /** The full name, prefix included. */
  name: string
  help: string
  labelNames: readonly L[]
  /** Histograms only: bucket upper bounds in seconds. */
  buckets?: readonly number[]
}

/** Latency buckets for work that takes milliseconds to seconds (a transaction, a produce call). */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export const counter = <L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): MetricDefinition<L> => ({ type: 'counter', name: `${METRIC_PREFIX}${name}`, help, labelNames })

export const gauge = <L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): MetricDefinition<L> => ({ type: 'gauge', name: `${METRIC_PREFIX}${name}`, help, labelNames })

export const histogram = <L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets: readonly number[] = DURATION_BUCKETS,
): MetricDefinition<L> => ({ type: 'histogram', name: `${METRIC_PREFIX}${name}`, help, labelNames, buckets })

/** Request durations, as fastify-metrics records them (its standard name, kept for stock dashboards). */
export const HTTP_REQUEST_DURATION: MetricDefinition<'method' | 'route' | 'status_code'> = {
  type: 'histogram',
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route template and status code (`/metrics` itself excluded)',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
}

/** What every service exposes besides its own metrics (listed first in each README table). */
export const BASE_METRICS: readonly MetricDefinition[] = [HTTP_REQUEST_DURATION]

/** The README row for prom-client's default process metrics, which are many and standard. */
export const PROCESS_METRICS_ROW = {
  name: '`process_*`, `nodejs_*`',
  type: 'various',
  labels: '',
  help: "prom-client's default Node.js process metrics: CPU, resident memory, heap, event-loop lag, GC, handles, open file descriptors",
}
