import { Kysely, type KyselyPlugin, type Migration, Migrator, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { DATABASE_CONNECTION_DEFAULTS, type DatabaseConnectionSettings } from '../config/connection-env.ts'
import { pgConnectionConfig } from './connection-config.ts'
import { guardPool } from './guarded-pool.ts'

export interface DatabaseOptions {
  connectionString: string
  /**
   * Ordered by name: use sortable names such as `0001-create-users`. Omitted for a second pool on a
   * database another pool of the process has already migrated.
   */
  migrations?: Record<string, Migration>
  poolMax?: number
  /**
   * Server settings for every connection of this pool (sent at connect, as libpq's `options`), e.g.
   * `{ synchronous_commit: 'off' }` for a pool whose commits may be lost in a server crash.
   */
  settings?: Record<string, string>
  /** Keepalive and timeouts of every connection (`DATABASE_*`); `DATABASE_CONNECTION_DEFAULTS` if omitted. */
  connection?: DatabaseConnectionSettings
  plugins?: KyselyPlugin[]
  /** Where pool-level errors are reported (an idle connection dropped by the server, say). */
  onPoolError?: (error: Error) => void
}

/**
 * Opens a Kysely database on a node-postgres pool, migrates it to the latest schema and checks
 * that it answers.
 * Kysely's PostgreSQL migrator holds an advisory lock while it runs, so several instances of a
 * service can start at once against the same database.
 */
export async function openDatabase<DB>(options: DatabaseOptions): Promise<Kysely<DB>> {
  const connection = options.connection ?? DATABASE_CONNECTION_DEFAULTS
  const serverOptions = options.settings && startupOptions(options.settings)
  const onPoolError = (error: Error) => options.onPoolError?.(error)
  if (options.migrations) await migrate(options.connectionString, connection, options.migrations, onPoolError)
  const pool = new pg.Pool({
    ...pgConnectionConfig(options.connectionString, connection),
    max: options.poolMax ?? 10,
    ...(serverOptions && { options: serverOptions }),
  })
  // Without a listener, an idle client's error (e.g. the server restarting) would crash the process.
  pool.on('error', onPoolError)
  const dialect = new PostgresDialect({ pool: guardPool(pool, connection.queryTimeoutMs) })
  const db = new Kysely<DB>({ dialect, plugins: options.plugins ?? [] })
  // A first query: the database answers on these settings, and Kysely's driver is initialised
  // (destroy() of a Kysely never used closes nothing, and leaves it usable).
  try {
    await sql`select 1`.execute(db)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return db
}

/**
 * On a connection of its own, without the statement and query timeouts: a migration may rightly
 * run long (an index built on a large table), and waits for another instance's migration lock.
 */
async function migrate(
  connectionString: string,
  connection: DatabaseConnectionSettings,
  migrations: Record<string, Migration>,
  onPoolError: (error: Error) => void,
): Promise<void> {
  const untimed = { ...connection, statementTimeoutMs: 0, queryTimeoutMs: 0 }
  const pool = new pg.Pool({ ...pgConnectionConfig(connectionString, untimed), max: 1 })
  pool.on('error', onPoolError)
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
    const { error, results } = await migrator.migrateToLatest()
    if (!error) return
    const failed = results?.find((result) => result.status === 'Error')?.migrationName
    const which = failed ? `migration ${failed}` : 'migration'
    throw new Error(`database ${which} failed: ${(error as Error).message ?? error}`)
  } finally {
    await db.destroy()
  }
}

function startupOptions(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[a-z_.]+$/.test(name) || !/^[\w.-]+$/.test(value))
        throw new Error(`database setting ${name}=${value}: only plain names and values are supported`)
      return `-c ${name}=${value}`
    })
    .join(' ')
}

/** True when a trivial query answers; used by readiness checks. */
export async function checkDatabase<DB>(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db)
    return true
  } catch {
    return false
  }
}
