import { type DatabaseConnectionSettings, openDatabase, runWorker } from '@kafka-ref/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Database } from '../db/schema.ts'
import type { OutboxPublisher } from './publisher.ts'
import { OutboxRelay, type RelayOptions } from './relay.ts'

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: OutboxRelay
  }
}

export interface RelayPluginOptions extends RelayOptions {
  /** OUTBOX_ENABLED: when false the relay exists (wake() is harmless) but never runs; rows wait for an instance that runs it. */
  enabled: boolean
  /** The service's database; the relay opens a small pool of its own on it. */
  connectionString: string
  /** Keepalive and timeouts of the relay's connections (`DATABASE_*`): a silent one fails its claim or mark, retried on a new one. */
  connection?: DatabaseConnectionSettings
  /** What the relay sends through: the Kafka producer, in its telemetry (built in app.ts). */
  publisher: OutboxPublisher
}

/**
 * Claim, mark and release need at most three connections at once (a claim ahead, a mark behind,
 * a lease renewal), and never wait for one the request path holds.
 */
const RELAY_POOL_MAX = 3

/** The service's worker: started when the app is ready, stopped (before the producer and the pool) on close. */
async function relayPlugin(
  app: FastifyInstance,
  { enabled, connectionString, connection, publisher, ...options }: RelayPluginOptions,
) {
  const log = app.log.child({ component: 'outbox-relay' })
  // The relay's commits do not wait for the WAL flush. What a database crash can take back is
  // only the relay's own latest bookkeeping, never an event: a lost claim frees rows it holds, a
  // lost mark makes rows unpublished again, and either way they are sent once more, which the
  // at-least-once contract allows and consumers deduplicate. Registrations commit through the
  // service's pool, with durable commits.
  const db = enabled
    ? await openDatabase<Database>({
        connectionString,
        poolMax: RELAY_POOL_MAX,
        connection,
        settings: { synchronous_commit: 'off' },
        onPoolError: (err) => log.warn({ err }, 'idle relay database connection failed'),
      })
    : app.db
  const relay = new OutboxRelay({ db, publisher, log }, options)
  app.decorate('outboxRelay', relay)
  runWorker(
    app,
    {
      start: () => relay.start(),
      stop: async () => {
        await relay.stop()
        await db.destroy()
      },
    },
    { enabled },
  )
}

// After the producer, so the relay stops (onClose, in reverse) while its publisher still works.
export default fp(relayPlugin, { name: 'outbox-relay', dependencies: ['database', 'event-producer'] })
