import { sleep } from '@kafka-ref/local-servers'
import pg from 'pg'
import { waitFor } from './wait-for.ts'

/** Runs `fn` with one connection to `url`, closed afterwards. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Sorted in JavaScript, so lists from two databases (and from HTTP) compare whatever the collation. */
export function sortedIds(ids: string[]): string[] {
  return [...ids].sort()
}

export interface ProfileCounts {
  profiles: number
  distinctUsers: number
  processedEvents: number
}

/** Where both services keep their data (a test world, the fault run's world). */
export interface ServiceDatabaseUrls {
  userDatabaseUrl: string
  profileDatabaseUrl: string
}

/**
 * Reads both services' databases directly: the end-to-end and fault tests judge the system by what
 * it stored, not by what it logged or answered.
 */
export class Databases {
  readonly users: pg.Pool
  readonly profiles: pg.Pool

  constructor(urls: ServiceDatabaseUrls) {
    this.users = new pg.Pool({ connectionString: urls.userDatabaseUrl, max: 2 })
    this.profiles = new pg.Pool({ connectionString: urls.profileDatabaseUrl, max: 2 })
  }

  async userCount(): Promise<number> {
    return this.#count(this.users, 'select count(*)::int as n from users')
  }

  /** Outbox rows not yet acknowledged by Kafka. */
  async pendingOutbox(): Promise<number> {
    return this.#count(this.users, 'select count(*)::int as n from outbox where published_at is null')
  }

  async userIds(): Promise<string[]> {
    return this.#ids(this.users, 'select id from users')
  }

  /** Ids of the events the user-service committed to its outbox (what must reach the profile-service). */
  async outboxEventIds(): Promise<string[]> {
    return this.#ids(this.users, `select value::jsonb->>'id' as id from outbox`)
  }

  async profileCounts(): Promise<ProfileCounts> {
    const { rows } = await this.profiles.query<ProfileCounts>(
      `select (select count(*)::int from profiles) as profiles,
              (select count(distinct user_id)::int from profiles) as "distinctUsers",
              (select count(*)::int from processed_events) as "processedEvents"`,
    )
    return rows[0]!
  }

  async profileUserIds(): Promise<string[]> {
    return this.#ids(this.profiles, 'select user_id as id from profiles')
  }

  async processedEventIds(): Promise<string[]> {
    return this.#ids(this.profiles, 'select event_id as id from processed_events')
  }

  /**
   * Waits until at least `expected` profiles exist, then until the counts stay the same for a
   * second: a duplicate or a late redelivery shows up as a count that is still moving.
   */
  async settledProfileCounts(expected: number, timeoutMs: number): Promise<ProfileCounts> {
    await waitFor(async () => (await this.profileCounts()).profiles >= expected, {
      timeoutMs,
      intervalMs: 200,
      description: `${expected} profiles`,
    })
    return waitFor(
      async () => {
        const before = await this.profileCounts()
        await sleep(1_000)
        const after = await this.profileCounts()
        return JSON.stringify(before) === JSON.stringify(after) && after
      },
      { timeoutMs: 15_000, intervalMs: 0, description: 'stable profile counts' },
    )
  }

  async close(): Promise<void> {
    await Promise.all([this.users.end(), this.profiles.end()])
  }

  async #count(pool: pg.Pool, query: string): Promise<number> {
    const { rows } = await pool.query<{ n: number }>(query)
    return rows[0]!.n
  }

  async #ids(pool: pg.Pool, query: string): Promise<string[]> {
    const { rows } = await pool.query<{ id: string }>(query)
    return sortedIds(rows.map((row) => row.id))
  }
}
