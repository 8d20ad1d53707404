import {
  type BuildOptions,
  baseAppOptions,
  createBaseApp,
  TRACING_OFF,
  type ZodFastify,
} from '@kafka-ref/service-kit'
import { EventTypes, namespaced, Topics } from '@kafka-ref/shared-contracts'
import type { Config } from './config.ts'
import databasePlugin from './db/database-plugin.ts'
import { healthRoutes } from './health/health-checks.ts'
import producerPlugin from './kafka/producer-plugin.ts'
import { withTelemetry } from './kafka/publisher-telemetry.ts'
import userMetricsPlugin from './metrics/user-metrics-plugin.ts'
import outboxStatusPlugin from './outbox/outbox-status-plugin.ts'
import relayPlugin from './outbox/relay-plugin.ts'
import { SERVICE_NAME } from './service-name.ts'
import topicCheckPlugin from './topics/topic-check-plugin.ts'
import registrationPlugin from './users/registration-plugin.ts'
import { userRoutes } from './users/user-routes.ts'

export type BuildAppOptions = BuildOptions

export { SERVICE_NAME }

/** Builds the whole service; never listens (server.ts does), so tests use `app.inject`. */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<ZodFastify> {
  const app = await createBaseApp({
    name: SERVICE_NAME,
    version: '0.1.0',
    description: `Registers users and publishes a ${EventTypes.userRegister} event for each, through a transactional outbox.`,
    bodyLimit: config.bodyLimitBytes,
    ...baseAppOptions(config, options),
  })
  const topic = namespaced(Topics.userRegister, config.kafkaTopicNamespace)

  // Registration order is start order; onClose runs in reverse: the status counts, relay, then
  // producer, then pool.
  await app.register(databasePlugin, {
    connectionString: config.databaseUrl,
    connection: config.databaseConnection,
  })
  await app.register(producerPlugin, {
    clientId: config.kafkaClientId,
    bootstrapBrokers: config.kafkaBrokers,
    warmUpTopics: [topic],
  })
  await app.register(relayPlugin, {
    ...config.outbox,
    connectionString: config.databaseUrl,
    connection: config.databaseConnection,
    // The relay publishes through the producer, timed, counted and traced.
    publisher: withTelemetry(app.eventProducer, {
      registry: app.metricsRegistry,
      tracing: options.tracing ?? TRACING_OFF,
      destinations: { [topic]: Topics.userRegister },
    }),
  })
  await app.register(outboxStatusPlugin, {
    connectionString: config.databaseUrl,
    connection: config.databaseConnection,
    intervalMs: config.statusRefreshMs,
  })
  await app.register(registrationPlugin, {
    topic,
    passwordHash: config.registration.passwordHash,
    eventDataVersion: config.registration.eventDataVersion,
  })
  await app.register(topicCheckPlugin, {
    clientId: config.kafkaClientId,
    bootstrapBrokers: config.kafkaBrokers,
    topics: [topic, namespaced(Topics.userRegisterDeadLetter, config.kafkaTopicNamespace)],
  })
  await app.register(userMetricsPlugin)

  userRoutes(app, { rateLimit: config.registration.rateLimit })
  healthRoutes(app, { relayEnabled: config.outbox.enabled, intervalMs: config.statusRefreshMs })
  return app
}
