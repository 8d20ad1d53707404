import { counterFrom, createCounter, createGauge } from '@kafka-ref/service-kit'
import type { FastifyInstance, onResponseHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { metricDefinitions as defs, type RegistrationOutcome, RegistrationOutcomes } from './definitions.ts'

const REGISTER_ROUTE = '/user/register'

function outcomeOf(status: number): RegistrationOutcome {
  if (status === 201) return 'created'
  if (status === 409) return 'conflict'
  if (status === 429) return 'rate-limited'
  if (status === 503) return 'overloaded'
  if (status === 499) return 'cancelled'
  if (status >= 400 && status < 500) return 'invalid'
  return 'failed'
}

/**
 * user-service's metrics. Everything but the registration count is read at scrape time from what
 * the components already keep (the relay's state, the hasher's counts, the outbox status
 * snapshot), so neither the request and relay paths nor a scrape do any metrics work of their own.
 */
async function userMetricsPlugin(app: FastifyInstance) {
  const registry = app.metricsRegistry
  const registrations = createCounter(registry, defs.registrations)
  // Every outcome is a series from the start, so a rate over it never misses its first increase.
  for (const outcome of RegistrationOutcomes) registrations.inc({ outcome }, 0)
  const count: onResponseHookHandler = (_request, reply, done) => {
    registrations.inc({ outcome: outcomeOf(reply.statusCode) })
    done()
  }
  // Counted by a hook of that one route: the route's own code stays as it is.
  app.addHook('onRoute', (route) => {
    if (route.url !== REGISTER_ROUTE || route.method !== 'POST') return
    route.onResponse = [...[route.onResponse ?? []].flat(), count]
  })

  const { hasher } = app.registration
  createGauge(registry, defs.hashesRunning, (gauge) => gauge.set(hasher.activeCount))
  createGauge(registry, defs.hashesQueued, (gauge) => gauge.set(hasher.pendingCount))
  createGauge(registry, defs.producerConnected, (gauge) => gauge.set(app.eventProducer.isConnected() ? 1 : 0))

  // From the outbox status snapshot: a scrape runs no query. NaN while the database does not answer.
  const status = () => app.outboxStatus.value
  createGauge(registry, defs.outboxBacklog, (gauge) => gauge.set(status()?.backlog ?? Number.NaN))
  createGauge(registry, defs.outboxOldestAge, (gauge) => {
    const now = status()
    gauge.set(now ? (now.oldestAgeMs ?? 0) / 1000 : Number.NaN)
  })

  const relay = () => app.outboxRelay.state
  createGauge(registry, defs.outboxFailingRows, (gauge) => gauge.set(relay().failingRows))
  createCounter(
    registry,
    defs.eventsPublished,
    counterFrom(() => relay().published),
  )
  createCounter(
    registry,
    defs.publishFailures,
    counterFrom(() => relay().sendFailures),
  )
  createCounter(
    registry,
    defs.rowsReleased,
    counterFrom(() => relay().releasedRows),
  )
  createCounter(
    registry,
    defs.leasesLost,
    counterFrom(() => relay().leasesLost),
  )
}

export default fp(userMetricsPlugin, {
  name: 'user-metrics',
  dependencies: ['metrics', 'outbox-status', 'outbox-relay', 'registration', 'event-producer'],
})
