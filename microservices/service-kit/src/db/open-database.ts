import { Kysely, type KyselyPlugin, type Migration, Migrator, PostgresDialect, sql } from 'kysely'
import pg from 'pg'

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
  /** How long to wait for a new connection before failing. Default 5 s. */
  connectionTimeoutMs?: number
  plugins?: KyselyPlugin[]
  /** Where pool-level errors are reported (an idle connection dropped by the server, say). */
  onPoolError?: (error: Error) => void
}

/**
 * Opens a Kysely database on a node-postgres pool and migrates it to the latest schema.
 * Kysely's PostgreSQL migrator holds an advisory lock while it runs, so several instances of a
 * service can start at once against the same database.
 */
export async function openDatabase<DB>(options: DatabaseOptions): Promise<Kysely<DB>> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 10,
    ...(options.settings && { options: startupOptions(options.settings) }),
    // An unreachable host (not a refused connection) would otherwise hang requests and readiness
    // checks for the OS's TCP timeout; failing fast turns it into a 500/503 and a retry.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  })
  // Without a listener, an idle client's error (e.g. the server restarting) would crash the process.
  pool.on('error', (error) => options.onPoolError?.(error))
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: options.plugins ?? [] })
  const { migrations } = options
  if (!migrations) return db

  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    await db.destroy()
    const failed = results?.find((result) => result.status === 'Error')?.migrationName
    const which = failed ? `migration ${failed}` : 'migration'
    throw new Error(`database ${which} failed: ${(error as Error).message ?? error}`)
  }
  return db
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
