import {
  type BuildOptions,
  baseAppOptions,
  createBaseApp,
  TRACING_OFF,
  type ZodFastify,
} from '@kafka-ref/service-kit'
import { EventTypes } from '@kafka-ref/shared-contracts'
import type { Config } from './config.ts'
import consumerPlugin, { type ConsumerPluginOptions } from './consumer/consumer-plugin.ts'
import processedEventsCleanupPlugin from './consumer/processed-events-cleanup-plugin.ts'
import databasePlugin from './db/database-plugin.ts'
import { healthRoutes } from './health/health-checks.ts'
import profileMetricsPlugin from './metrics/profile-metrics-plugin.ts'
import profileListenerPlugin from './profiles/profile-listener-plugin.ts'
import { profileRoutes } from './profiles/profile-routes.ts'
import { SERVICE_NAME } from './service-name.ts'

export interface BuildAppOptions extends BuildOptions {
  deadLetterSettings?: ConsumerPluginOptions['deadLetterSettings']
}

export { SERVICE_NAME }

/**
 * Builds the whole service and never listens (server.ts does), so tests use `app.inject`. The
 * consumer starts with `app.ready()` unless `CONSUMER_ENABLED=false`.
 */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<ZodFastify> {
  const app = await createBaseApp({
    name: SERVICE_NAME,
    version: '0.1.0',
    description: `Creates a profile for every ${EventTypes.userRegister} event, exactly once, and serves it.`,
    ...baseAppOptions(config, options),
  })

  // Registration order is start order; onClose runs in reverse: consumer (and its own pool),
  // listener, processed-events cleanup, then the pool of the HTTP routes.
  await app.register(databasePlugin, {
    connectionString: config.databaseUrl,
    poolMax: config.databasePoolMax,
    connection: config.databaseConnection,
  })
  await app.register(processedEventsCleanupPlugin, config.processedEvents)
  await app.register(profileListenerPlugin, {
    connectionString: config.databaseUrl,
    heartbeatIntervalMs: config.profiles.heartbeatIntervalMs,
    heartbeatTimeoutMs: config.profiles.heartbeatTimeoutMs,
    connection: config.databaseConnection,
    cache: config.profiles.cache,
  })
  await app.register(consumerPlugin, {
    config,
    tracing: options.tracing ?? TRACING_OFF,
    deadLetterSettings: options.deadLetterSettings,
  })
  await app.register(profileMetricsPlugin, { lagRefreshMs: config.statusRefreshMs })

  profileRoutes(app, config.profiles)
  healthRoutes(app, { consumerEnabled: config.consumer.enabled, intervalMs: config.statusRefreshMs })
  return app
}
