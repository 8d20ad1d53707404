import { counterFrom, createCounter, createGauge, periodicSnapshot } from '@kafka-ref/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { FATAL_ERROR_CODES } from '../kafka/client-errors.ts'
import { CONSUMER_STATES } from '../kafka/consumer-supervisor.ts'
import { metricDefinitions as defs } from './definitions.ts'

/** How long a lag refresh waits for the broker's offsets before leaving the lag out. */
const LAG_TIMEOUT_MS = 2000

export interface ProfileMetricsOptions {
  /** `STATUS_REFRESH_MS`: how often the lag is asked of the broker. */
  lagRefreshMs: number
}

/**
 * profile-service's state metrics, read at scrape time from the consumer's, dead-letter
 * producer's and listener's getters (what the consumer counts as it works is in
 * consumer-telemetry.ts). With the consumer off (`CONSUMER_ENABLED=false`) the consumer gauges say
 * so: no partitions, not connected. The lag takes broker round trips: it is asked on a timer, and a
 * scrape serves the last answer (none while the broker does not give one).
 */
async function profileMetricsPlugin(app: FastifyInstance, options: ProfileMetricsOptions) {
  const registry = app.metricsRegistry
  const { consumer, deadLetterProducer, profileListener, profileCache } = app
  const lag = periodicSnapshot(app, {
    name: 'consumer lag',
    intervalMs: options.lagRefreshMs,
    read: async () => (consumer.isConnected ? consumer.lag(LAG_TIMEOUT_MS) : []),
  })
  createGauge(registry, defs.lag, (gauge) => {
    gauge.reset()
    for (const { topic, partition, lag: messages } of lag.value ?? [])
      gauge.set({ topic, partition: String(partition) }, messages)
  })
  createGauge(registry, defs.assignedPartitions, (gauge) => gauge.set(consumer.assignments.length))
  createGauge(registry, defs.pausedPartitions, (gauge) => gauge.set(consumer.pausedPartitions.length))
  createGauge(registry, defs.connected, (gauge) => gauge.set(consumer.isConnected ? 1 : 0))
  createGauge(registry, defs.state, (gauge) => {
    const now = consumer.status.state
    for (const state of CONSUMER_STATES) gauge.set({ state }, state === now ? 1 : 0)
  })
  createCounter(registry, defs.fatalErrors, (counter) => {
    // Totals kept by the consumer: set again at each scrape, every code a series from the start.
    counter.reset()
    for (const code of FATAL_ERROR_CODES) counter.inc({ code }, consumer.fatalErrorCounts.get(code) ?? 0)
  })
  createCounter(
    registry,
    defs.deadLetterFatalErrors,
    counterFrom(() => deadLetterProducer.status.fatalErrors),
  )
  createGauge(registry, defs.deadLetterTopicMissing, (gauge) =>
    gauge.set(deadLetterProducer.status.topic === 'missing' ? 1 : 0),
  )
  createCounter(
    registry,
    defs.deadLetterPublishFailures,
    counterFrom(() => deadLetterProducer.status.publishFailures),
  )
  createGauge(registry, defs.waiters, (gauge) => gauge.set(profileListener.waiterCount))
  createGauge(registry, defs.listenerConnected, (gauge) => gauge.set(profileListener.isListening ? 1 : 0))
  createCounter(
    registry,
    defs.cacheHits,
    counterFrom(() => profileCache.hits),
  )
  createCounter(
    registry,
    defs.cacheMisses,
    counterFrom(() => profileCache.misses),
  )
  createGauge(registry, defs.cacheEntries, (gauge) => gauge.set(profileCache.size))
  createGauge(registry, defs.cacheBytes, (gauge) => gauge.set(profileCache.bytes))
}

export default fp(profileMetricsPlugin, {
  name: 'profile-metrics',
  dependencies: ['metrics', 'consumer', 'profile-listener'],
})
