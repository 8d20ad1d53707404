import { openDatabase } from '@kafka-ref/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import { migrations } from './migrations/index.ts'
import type { Database } from './schema.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
  }
}

export interface DatabasePluginOptions {
  connectionString: string
}

/** Opens the pool and migrates before any route or consumer can run; closes the pool last. */
async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions) {
  const db = await openDatabase<Database>({
    connectionString: options.connectionString,
    migrations,
    onPoolError: (err) => app.log.warn({ err }, 'idle database connection failed'),
  })
  app.decorate('db', db)
  app.addHook('onClose', async () => {
    await db.destroy()
  })
}

export default fp(databasePlugin, { name: 'database' })
