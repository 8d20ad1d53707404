import { openDatabase } from '@kafka-ref/service-kit'
import { ConsumerGroups, namespaced, Topics } from '@kafka-ref/shared-contracts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ConsumerConfig } from '../config.ts'
import type { Database } from '../db/schema.ts'
import { DeadLetterProducer, type DeadLetterProducerOptions } from '../dead-letter/dead-letter-producer.ts'
import { ProfileConsumer } from './profile-consumer.ts'
import { userRegisterHandler } from './user-register-handler.ts'

declare module 'fastify' {
  interface FastifyInstance {
    profileConsumer: ProfileConsumer
    deadLetterProducer: DeadLetterProducer
    /** Connects and starts consuming; called by server.ts once the app listens (tests call it too). */
    startConsumer(): Promise<void>
  }
}

export interface ConsumerPluginOptions extends ConsumerConfig {
  brokers: readonly string[]
  clientId: string
  topicNamespace: string
  shutdownTimeoutMs: number
  databaseUrl: string
  databasePoolMax: number
  deadLetterSettings?: DeadLetterProducerOptions['settings']
}

async function consumerPlugin(app: FastifyInstance, options: ConsumerPluginOptions) {
  const log = app.log.child({ component: 'profile-consumer' })
  // Its own pool (migrated by the database plugin): however many HTTP reads queue for app.db, a
  // partition never waits behind them for a connection.
  const db = await openDatabase<Database>({
    connectionString: options.databaseUrl,
    poolMax: options.databasePoolMax,
    onPoolError: (err) => log.warn({ err }, 'idle database connection failed'),
  })
  const deadLetter = new DeadLetterProducer({
    brokers: options.brokers,
    clientId: options.clientId,
    topic: namespaced(Topics.userRegisterDeadLetter, options.topicNamespace),
    timeoutMs: options.deadLetterTimeoutMs,
    maxMessageBytes: options.messageMaxBytes,
    settings: options.deadLetterSettings,
    log,
  })
  const consumer = new ProfileConsumer({
    ...options,
    // Stable across restarts, so a restarted instance resumes from the group's committed offsets.
    groupId: namespaced(ConsumerGroups.profileService, options.topicNamespace),
    topic: namespaced(Topics.userRegister, options.topicNamespace),
    handler: userRegisterHandler({ db, deadLetter }),
    log,
  })
  app.decorate('profileConsumer', consumer)
  app.decorate('deadLetterProducer', deadLetter)
  app.decorate('startConsumer', async () => {
    await deadLetter.connect(options.shutdownTimeoutMs)
    await consumer.start(options.shutdownTimeoutMs)
    log.info('consuming')
  })
  // Split the shutdown budget: the consumer first (it may still dead-letter), then the producer.
  app.addHook('onClose', async () => {
    await consumer.close({ timeoutMs: options.shutdownTimeoutMs / 2 })
    await deadLetter.close(options.shutdownTimeoutMs / 4)
    await db.destroy()
  })
}

export default fp(consumerPlugin, { name: 'profile-consumer', dependencies: ['database'] })
