import pg from 'pg'

/** Share of sampled backend states, in % (one database's connections, sampled together). */
export type PgActivity = Record<string, number>

const INTERVAL_MS = 25

/**
 * Samples pg_stat_activity for one database while a run lasts: what the service's connections
 * are doing. 'idle in transaction' is a transaction waiting for the service's next statement,
 * 'active' is PostgreSQL working (on CPU, or waiting for the wait event named, e.g. IO/WalSync),
 * 'idle' is a connection between transactions. Connections idle in every sample (spare pool
 * connections, profile-service's LISTEN connection) are left out. It tells a database-bound
 * figure from one bound by the service or by the round trips between them.
 */
export async function samplePgActivity(adminUrl: string, database: string) {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  const byBackend = new Map<number, string[]>()
  let running = true
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{
        pid: number
        state: string | null
        type: string | null
        event: string | null
      }>(
        `select pid, state, wait_event_type as type, wait_event as event from pg_stat_activity
         where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid()`,
        [database],
      )
      for (const { pid, state, type, event } of rows) {
        const bucket =
          state === 'active'
            ? event
              ? `active, waiting ${type}/${event}`
              : 'active, on CPU'
            : (state ?? 'unknown')
        const samples = byBackend.get(pid) ?? []
        samples.push(bucket)
        byBackend.set(pid, samples)
      }
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
    }
  })()
  return {
    async stop(): Promise<PgActivity> {
      running = false
      await loop
      await client.end()
      const counts = new Map<string, number>()
      let total = 0
      for (const samples of byBackend.values()) {
        if (samples.every((bucket) => bucket === 'idle')) continue
        for (const bucket of samples) counts.set(bucket, (counts.get(bucket) ?? 0) + 1)
        total += samples.length
      }
      const shares: PgActivity = {}
      for (const [bucket, count] of [...counts].sort((a, b) => b[1] - a[1])) {
        shares[bucket] = Math.round((count / Math.max(1, total)) * 100)
      }
      return shares
    },
  }
}

export const formatActivity = (activity: PgActivity) =>
  Object.entries(activity)
    .filter(([, percent]) => percent > 0)
    .map(([bucket, percent]) => `${bucket} ${percent}%`)
    .join(', ')
