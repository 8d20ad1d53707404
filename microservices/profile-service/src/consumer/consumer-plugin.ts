import { openDatabase, runWorker, type Tracing } from '@kafka-ref/service-kit'
import { ConsumerGroups, EventTypes, namespaced, Topics } from '@kafka-ref/shared-contracts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'
import type { Database } from '../db/schema.ts'
import type { ConsumerSettings } from '../kafka/consumer-client.ts'
import { ConsumerSupervisor } from '../kafka/consumer-supervisor.ts'
import {
  DeadLetterProducer,
  type DeadLetterProducerOptions,
} from '../kafka/dead-letter/dead-letter-producer.ts'
import { consumerTelemetry } from './consumer-telemetry.ts'
import { userRegisterHandler } from './user-register-handler.ts'

declare module 'fastify' {
  interface FastifyInstance {
    consumer: ConsumerSupervisor
    deadLetterProducer: DeadLetterProducer
  }
}

export interface ConsumerPluginOptions {
  config: Config
  tracing: Tracing
  /** Extra librdkafka settings of the dead-letter producer (tests use them to provoke a real fatal error). */
  deadLetterSettings?: DeadLetterProducerOptions['settings']
}

/**
 * The `user_register` consumer: a worker started when the app is ready and stopped when it closes
 * (unless `CONSUMER_ENABLED=false`), storing each event's profile through its own pool and
 * dead-lettering what cannot be decoded. It connects in the background, retrying until Kafka
 * answers: the app is ready (and serves reads) without it.
 */
async function consumerPlugin(
  app: FastifyInstance,
  { config, tracing, deadLetterSettings }: ConsumerPluginOptions,
) {
  const { consumer: settings, kafkaTopicNamespace: namespace, shutdownTimeoutMs } = config
  const log = app.log.child({ component: 'consumer' })
  // Its own pool (migrated by the database plugin): however many HTTP reads queue for app.db, a
  // partition never waits behind them for a connection.
  const db = await openDatabase<Database>({
    connectionString: config.databaseUrl,
    poolMax: settings.databasePoolMax,
    connection: config.databaseConnection,
    onPoolError: (err) => log.warn({ err }, 'idle database connection failed'),
  })
  // Closed after the worker has stopped: onClose hooks run last added, first.
  app.addHook('onClose', async () => {
    await db.destroy()
  })
  const deadLetter = new DeadLetterProducer({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    topic: namespaced(Topics.userRegisterDeadLetter, namespace),
    timeoutMs: settings.deadLetterTimeoutMs,
    maxMessageBytes: settings.messageMaxBytes,
    settings: deadLetterSettings,
    log,
  })
  // Stable across restarts, so a restarted instance resumes from the group's committed offsets.
  const groupId = namespaced(ConsumerGroups.profileService, namespace)
  const telemetry = consumerTelemetry(app.metricsRegistry, {
    tracing,
    groupId,
    destination: Topics.userRegister,
  })
  const consumer = new ConsumerSupervisor({
    consumer: {
      ...engineSettings(config, groupId),
      topic: namespaced(Topics.userRegister, namespace),
      handler: telemetry.wrap(
        userRegisterHandler({
          db,
          deadLetter,
          observer: telemetry.observer,
          acceptedVersions: { [EventTypes.userRegister]: settings.acceptedDataVersions },
        }),
      ),
      log,
    },
    connectTimeoutMs: shutdownTimeoutMs,
    // Dead letters go out from the first batch on.
    prepare: (timeoutMs) => deadLetter.connect(timeoutMs),
  })
  app.decorate('consumer', consumer)
  app.decorate('deadLetterProducer', deadLetter)
  runWorker(
    app,
    {
      start: () => consumer.start(),
      // Split the shutdown budget: the consumer first (it may still dead-letter), then the producer.
      stop: async () => {
        await consumer.close({ timeoutMs: shutdownTimeoutMs / 2 })
        await deadLetter.close(shutdownTimeoutMs / 4)
      },
    },
    { enabled: settings.enabled },
  )
}

/** What the engine (src/kafka) is told, from the service's parsed configuration. */
function engineSettings(config: Config, groupId: string): ConsumerSettings {
  const { consumer } = config
  return {
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    groupId,
    groupInstanceId: consumer.groupInstanceId,
    start: consumer.start,
    batchSize: consumer.batchSize,
    pollTimeoutMs: consumer.pollTimeoutMs,
    fetchWaitMaxMs: consumer.fetchWaitMaxMs,
    commitIntervalMs: consumer.commitIntervalMs,
    sessionTimeoutMs: consumer.sessionTimeoutMs,
    messageMaxBytes: consumer.messageMaxBytes,
    retry: consumer.retry,
  }
}

export default fp(consumerPlugin, { name: 'consumer', dependencies: ['database', 'metrics'] })
