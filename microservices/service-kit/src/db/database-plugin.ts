import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Migration } from 'kysely'
import type { DatabaseConnectionSettings } from '../config/connection-env.ts'
import { openDatabase } from './open-database.ts'

export interface DatabasePluginOptions {
  connectionString: string
  /** Most connections of the pool (default 10). */
  poolMax?: number
  /** Keepalive and timeouts of its connections (`DATABASE_*`); the defaults if omitted. */
  connection?: DatabaseConnectionSettings
}

/**
 * The `database` plugin of a service: opens the pool and migrates before any route or consumer can
 * run, decorates `app.db`, and closes the pool last. Each service declares the decorator's type
 * (`declare module 'fastify' { interface FastifyInstance { db: Kysely<Database> } }`).
 */
export function databasePlugin<DB>(migrations: Record<string, Migration>) {
  return fp(
    async (app: FastifyInstance, options: DatabasePluginOptions) => {
      const db = await openDatabase<DB>({
        connectionString: options.connectionString,
        migrations,
        poolMax: options.poolMax,
        connection: options.connection,
        onPoolError: (err) => app.log.warn({ err }, 'idle database connection failed'),
      })
      app.decorate('db', db)
      app.addHook('onClose', async () => {
        await db.destroy()
      })
    },
    { name: 'database' },
  )
}
