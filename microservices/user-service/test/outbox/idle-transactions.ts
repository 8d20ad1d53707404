import pg from 'pg'

/**
 * Watches one database for sessions left idle inside a transaction: what a relay holding a
 * transaction open across a Kafka send looks like from PostgreSQL's side.
 */

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Sets `idle_in_transaction_session_timeout` for every new session of the database behind `url`. */
export async function limitIdleInTransaction(url: string, timeout: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>('select current_database() as name')
    await client.query(
      `alter database ${client.escapeIdentifier(rows[0]!.name)} set idle_in_transaction_session_timeout = ${client.escapeLiteral(timeout)}`,
    )
  })
}

/** Sessions of the database ended by a FATAL error, e.g. by `idle_in_transaction_session_timeout`. */
export async function fatalSessionEnds(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ fatal: string }>(
      'select sessions_fatal as fatal from pg_stat_database where datname = current_database()',
    )
    return Number(rows[0]!.fatal)
  })
}

export interface IdleInTransactionReport {
  samples: number
  /** Longest time a session of the database was seen idle in a transaction, in ms (0 if never). */
  longestMs: number
}

/** Samples pg_stat_activity every `intervalMs` until stopped. */
export async function watchIdleInTransaction(url: string, intervalMs = 100) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const report: IdleInTransactionReport = { samples: 0, longestMs: 0 }
  let running = true
  let wake: (() => void) | undefined
  const loop = (async () => {
    while (running) {
      // clock_timestamp(), not now(): now() is the start of this sampling transaction.
      const { rows } = await client.query<{ ms: number | null }>(
        `select max(extract(epoch from clock_timestamp() - state_change) * 1000)::float8 as ms
         from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()
           and state in ('idle in transaction', 'idle in transaction (aborted)')`,
      )
      report.samples += 1
      report.longestMs = Math.max(report.longestMs, rows[0]?.ms ?? 0)
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, intervalMs)
      })
    }
  })()
  return {
    async stop(): Promise<IdleInTransactionReport> {
      running = false
      wake?.()
      await loop
      await client.end()
      return report
    },
  }
}
