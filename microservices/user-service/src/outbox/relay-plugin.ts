import { runWorker } from '@kafka-ref/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { OutboxRelay, type RelayOptions } from './relay.ts'

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: OutboxRelay
  }
}

export interface RelayPluginOptions extends RelayOptions {
  /** OUTBOX_ENABLED: when false the relay exists (wake() is harmless) but never runs; rows wait for an instance that runs it. */
  enabled: boolean
}

/** The service's worker: started when the app is ready, stopped (before the producer and the pool) on close. */
async function relayPlugin(app: FastifyInstance, { enabled, ...options }: RelayPluginOptions) {
  const relay = new OutboxRelay(
    { db: app.db, producer: app.eventProducer, log: app.log.child({ component: 'outbox-relay' }) },
    options,
  )
  app.decorate('outboxRelay', relay)
  runWorker(app, relay, { enabled })
}

export default fp(relayPlugin, { name: 'outbox-relay', dependencies: ['database', 'event-producer'] })
