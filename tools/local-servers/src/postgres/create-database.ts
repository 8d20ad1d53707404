import pg from 'pg'

const DUPLICATE_DATABASE = '42P04'

/** The same server URL pointing at another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${encodeURIComponent(database)}`
  return url.toString()
}

/**
 * Creates `name` on the server behind `adminUrl` (any PostgreSQL, e.g. a user's DATABASE_URL) unless it
 * exists, and returns the URL of that database.
 */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name])
    if (!rowCount) {
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((error: unknown) => {
        // Two callers raced; the database is there, which is all we wanted.
        if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error
      })
    }
  } finally {
    await client.end()
  }
  return databaseUrl(adminUrl, name)
}

/** `select version()` and the server's pid for our connection's postmaster, for log lines. */
export async function describeServer(url: string): Promise<{ version: string; fullVersion: string }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ version: string; server_version: string }>(
      "select version() as version, current_setting('server_version') as server_version",
    )
    return { version: rows[0]!.server_version, fullVersion: rows[0]!.version }
  } finally {
    await client.end()
  }
}
