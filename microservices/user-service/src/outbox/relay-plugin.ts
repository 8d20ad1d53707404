import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { OutboxRelay, type RelayOptions } from './relay.ts'

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: OutboxRelay
  }
}

export interface RelayPluginOptions extends RelayOptions {
  /** When false the relay exists (wake() is harmless) but never runs: rows wait for an instance that runs it. */
  enabled: boolean
}

async function relayPlugin(app: FastifyInstance, options: RelayPluginOptions) {
  const { enabled, ...relayOptions } = options
  const relay = new OutboxRelay(
    { db: app.db, producer: app.eventProducer, log: app.log.child({ component: 'outbox-relay' }) },
    relayOptions,
  )
  app.decorate('outboxRelay', relay)
  if (!enabled) return
  app.addHook('onReady', async () => relay.start())
  // Plugins close in reverse order, so this runs before the producer and the pool are closed.
  app.addHook('onClose', async () => relay.stop())
}

export default fp(relayPlugin, { name: 'outbox-relay', dependencies: ['database', 'event-producer'] })
