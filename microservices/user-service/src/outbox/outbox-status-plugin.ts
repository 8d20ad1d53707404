import {
  DATABASE_CONNECTION_DEFAULTS,
  type DatabaseConnectionSettings,
  openDatabase,
  type PeriodicSnapshot,
  periodicSnapshot,
} from '@kafka-ref/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Database } from '../db/schema.ts'
import { type FailingRows, failingRows, type OutboxBacklog, outboxBacklog } from './outbox-repository.ts'

export interface OutboxStatus extends OutboxBacklog {
  failing: FailingRows
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The outbox's backlog, counted every `STATUS_REFRESH_MS`; `value` is undefined while unknown. */
    outboxStatus: PeriodicSnapshot<OutboxStatus>
  }
}

export interface OutboxStatusPluginOptions {
  /** The service's database; the counts run on a connection of their own. */
  connectionString: string
  /** Keepalive and timeouts (`DATABASE_*`); the statement timeout is at most `STATEMENT_TIMEOUT_MS`. */
  connection?: DatabaseConnectionSettings
  /** `STATUS_REFRESH_MS` */
  intervalMs: number
}

/** A count slower than this (a backlog of many millions) reports the status unknown instead. */
const STATEMENT_TIMEOUT_MS = 10_000

/** The service's connection settings, with a statement timeout of at most `STATEMENT_TIMEOUT_MS` (also when none is configured). */
function countConnection(connection: DatabaseConnectionSettings): DatabaseConnectionSettings {
  const configured = connection.statementTimeoutMs
  // Lowering the statement timeout keeps the query timeout above it, as the config requires.
  const statementTimeoutMs =
    configured === 0 ? STATEMENT_TIMEOUT_MS : Math.min(configured, STATEMENT_TIMEOUT_MS)
  return { ...connection, statementTimeoutMs }
}

/**
 * What readiness and metrics say about the outbox. Counting the unpublished rows reads the whole
 * backlog, which during a Kafka outage is the biggest table there is: it runs on a timer, on one
 * connection of its own, so neither a flood of probes and scrapes nor a slow count ever makes a
 * registration wait for a connection of the service's pool.
 */
async function outboxStatusPlugin(app: FastifyInstance, options: OutboxStatusPluginOptions) {
  const db = await openDatabase<Database>({
    connectionString: options.connectionString,
    poolMax: 1,
    connection: countConnection(options.connection ?? DATABASE_CONNECTION_DEFAULTS),
    onPoolError: (err) => app.log.warn({ err }, 'idle outbox status connection failed'),
  })
  // Added before the snapshot's own hook, so it runs after it (onClose hooks run last first):
  // the connection closes once no count is under way.
  app.addHook('onClose', async () => {
    await db.destroy()
  })
  const snapshot = periodicSnapshot(app, {
    name: 'outbox status',
    intervalMs: options.intervalMs,
    read: async (): Promise<OutboxStatus> => ({
      ...(await outboxBacklog(db)),
      failing: await failingRows(db),
    }),
  })
  app.decorate('outboxStatus', snapshot)
}

export default fp(outboxStatusPlugin, { name: 'outbox-status', dependencies: ['database'] })
