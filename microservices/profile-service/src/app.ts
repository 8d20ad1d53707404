import { createBaseApp, type ZodFastify } from '@kafka-ref/service-kit'
import { EventTypes } from '@kafka-ref/shared-contracts'
import type { DestinationStream } from 'pino'
import type { Config } from './config.ts'
import consumerPlugin from './consumer/consumer-plugin.ts'
import databasePlugin from './db/database-plugin.ts'
import type { DeadLetterProducerOptions } from './dead-letter/dead-letter-producer.ts'
import { healthRoutes } from './health/health-checks.ts'
import processedEventsCleanupPlugin from './profiles/processed-events-cleanup-plugin.ts'
import profileListenerPlugin from './profiles/profile-listener-plugin.ts'
import { profileRoutes } from './profiles/profile-routes.ts'

export interface BuildAppOptions {
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: DestinationStream
  /** false builds the HTTP side only, without Kafka (default true). */
  consumer?: boolean
  /** Extra librdkafka settings of the dead-letter producer (tests use them to provoke a real fatal error). */
  deadLetterSettings?: DeadLetterProducerOptions['settings']
}

export const SERVICE_NAME = 'profile-service'

/**
 * Builds the whole service; never listens and never starts consuming (server.ts does both, via
 * `app.startConsumer()`), so tests use `app.inject` and decide when to consume.
 */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<ZodFastify> {
  const app = await createBaseApp({
    name: SERVICE_NAME,
    version: '0.1.0',
    description: `Creates a profile for every ${EventTypes.userRegister} event, exactly once, and serves it.`,
    logger: { level: config.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
    corsOrigins: config.corsOrigins,
    trustProxy: config.trustProxy,
  })
  const consumerEnabled = options.consumer ?? true

  // Registration order is start order; onClose runs in reverse: consumer (and its own pool),
  // listener, processed-events cleanup, then the pool of the HTTP routes.
  await app.register(databasePlugin, {
    connectionString: config.databaseUrl,
    poolMax: config.databasePoolMax,
  })
  await app.register(processedEventsCleanupPlugin, config.processedEvents)
  await app.register(profileListenerPlugin, {
    connectionString: config.databaseUrl,
    heartbeatIntervalMs: config.profiles.heartbeatIntervalMs,
    heartbeatTimeoutMs: config.profiles.heartbeatTimeoutMs,
  })
  if (consumerEnabled) {
    await app.register(consumerPlugin, {
      ...config.consumer,
      databaseUrl: config.databaseUrl,
      databasePoolMax: config.consumerDatabasePoolMax,
      brokers: config.kafkaBrokers,
      clientId: config.kafkaClientId,
      topicNamespace: config.kafkaTopicNamespace,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      deadLetterSettings: options.deadLetterSettings,
    })
  }

  profileRoutes(app, config.profiles)
  healthRoutes(app, { consumerEnabled })
  return app
}
