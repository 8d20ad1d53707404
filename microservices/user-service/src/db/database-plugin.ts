import { databasePlugin } from '@kafka-ref/service-kit'
import type { Kysely } from 'kysely'
import { migrations } from './migrations/index.ts'
import type { Database } from './schema.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
  }
}

export default databasePlugin<Database>(migrations)
