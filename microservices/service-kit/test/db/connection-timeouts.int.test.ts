import { readFile } from 'node:fs/promises'
import { createTestDatabase, proxiedUrl, type TcpProxy, waitFor } from '@kafka-ref/testkit'
import { type Kysely, type Migration, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { type DatabaseConnectionSettings, isDatabaseUnavailable, openDatabase } from '../../src/index.ts'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Short bounds so each case takes a second or two; the query timeout above the statement timeout. */
const SHORT: DatabaseConnectionSettings = {
  keepAliveInitialDelayMs: 7_000,
  statementTimeoutMs: 500,
  queryTimeoutMs: 1_000,
  idleInTransactionTimeoutMs: 500,
}
/** What a loaded machine may add to a bound. */
const MARGIN_MS = 3_000

async function open(url: string, options: { poolMax?: number; migrations?: Record<string, Migration> } = {}) {
  const db = await openDatabase<unknown>({ connectionString: url, connection: SHORT, ...options })
  cleanups.push(() => db.destroy())
  return db
}

async function behindProxy(name: string): Promise<{ url: string; proxy: TcpProxy }> {
  const through = await proxiedUrl(await createTestDatabase(name))
  cleanups.push(() => through.proxy.close())
  return through
}

/** Rejects when `work` has not settled within `ms` (what a hang looks like here). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** What `work` failed with; undefined if it succeeded. */
const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => error,
  )

const backendPid = async (db: Kysely<unknown>) =>
  (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid

describe('database connections', () => {
  it('fail a query on a silenced connection within the query timeout, then go on with new connections', async () => {
    const { url, proxy } = await behindProxy('service_kit_silent')
    const db = await open(url, { poolMax: 3 })
    // Three connections open and idle in the pool.
    await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(db)))
    expect(proxy.silenceOpenConnections()).toBe(3)
    const accepted = proxy.accepted

    const started = performance.now()
    const failure = await within(SHORT.queryTimeoutMs + MARGIN_MS, failureOf(sql`select 1`.execute(db)))
    expect(failure).toBeInstanceOf(Error)
    expect(isDatabaseUnavailable(failure)).toBe(true)
    expect(performance.now() - started).toBeGreaterThanOrEqual(SHORT.queryTimeoutMs - 50)

    // The two other connections were silenced too: the next query must not wait on them.
    const next = performance.now()
    const { rows } = await within(MARGIN_MS, sql<{ one: number }>`select 1 as one`.execute(db))
    expect(rows).toEqual([{ one: 1 }])
    expect(performance.now() - next).toBeLessThan(SHORT.queryTimeoutMs)
    expect(proxy.accepted).toBeGreaterThan(accepted)
  })

  it('fail a transaction on a silenced connection within one query timeout, its rollback included', async () => {
    const { url, proxy } = await behindProxy('service_kit_silent_transaction')
    const db = await open(url, { poolMax: 1 })
    const started = performance.now()
    const failure = await within(
      SHORT.queryTimeoutMs + MARGIN_MS,
      failureOf(
        db.transaction().execute(async (trx) => {
          await sql`select 1`.execute(trx)
          proxy.silenceOpenConnections()
          await sql`select 2`.execute(trx)
        }),
      ),
    )
    expect(isDatabaseUnavailable(failure)).toBe(true)
    // The rollback did not wait for a timeout of its own on the dead connection.
    expect(performance.now() - started).toBeLessThan(2 * SHORT.queryTimeoutMs)
    expect(await within(MARGIN_MS, backendPid(db))).toBeGreaterThan(0)
  })

  it('have the server cancel a statement past the statement timeout, keeping the connection', async () => {
    const db = await open(await createTestDatabase('service_kit_statement_timeout'), { poolMax: 1 })
    const pid = await backendPid(db)
    const failure = await failureOf(sql`select pg_sleep(3)`.execute(db))
    expect(failure).toMatchObject({ code: '57014' })
    expect(isDatabaseUnavailable(failure)).toBe(true)
    expect(await backendPid(db)).toBe(pid)
  })

  it('have the server end a session left idle inside a transaction, freeing its locks', async () => {
    const db = await open(await createTestDatabase('service_kit_idle_transaction'), { poolMax: 2 })
    await sql`create table things (id int primary key)`.execute(db)
    await sql`insert into things values (1)`.execute(db)
    const abandoned = failureOf(
      db.transaction().execute(async (trx) => {
        await sql`select * from things where id = 1 for update`.execute(trx)
        // A client that stops talking mid-transaction (a stalled process, a silent network).
        await new Promise((resolve) => setTimeout(resolve, 6_000))
        await sql`select 1`.execute(trx)
      }),
    )
    await waitFor(() => sql`select 1 from things where id = 1 for update nowait`.execute(db), {
      timeoutMs: SHORT.idleInTransactionTimeoutMs + MARGIN_MS,
      description: 'the row lock freed by the server ending the idle session',
    })
    expect(isDatabaseUnavailable(await abandoned)).toBe(true)
  })

  it('run migrations without the statement and query timeouts', async () => {
    const slow: Record<string, Migration> = {
      '0001-slow': {
        async up(db) {
          // Longer than both timeouts, as an index build on a large table can be.
          await sql`select pg_sleep(1.5)`.execute(db)
          await sql`create table migrated (id int)`.execute(db)
        },
      },
    }
    const db = await open(await createTestDatabase('service_kit_slow_migration'), { migrations: slow })
    const { rows } = await sql<{ n: string }>`select count(*) as n from migrated`.execute(db)
    expect(Number(rows[0]!.n)).toBe(0)
    // The service's own connections have the statement timeout.
    const { rows: setting } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db)
    expect(setting[0]!.statement_timeout).toBe('500ms')
  })

  it('keep TCP keepalive on, first probe after the configured idle time (Linux /proc/net/tcp)', async () => {
    const db = await open(await createTestDatabase('service_kit_keepalive'), { poolMax: 1 })
    const { rows } = await sql<{ client: number; server: number }>`
      select inet_client_port() as client, inet_server_port() as server`.execute(db)
    const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0')
    const [localPort, remotePort] = [hex(rows[0]!.client), hex(rows[0]!.server)]
    // Columns: sl, local address, remote address, state, queues, then "timer:expires" (timer 2 is
    // keepalive, its expiry in jiffies); only an idle socket with SO_KEEPALIVE has that timer.
    const timers = async () => {
      const tables = await Promise.all(
        ['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFile(file, 'utf8').catch(() => '')),
      )
      return (
        tables
          .flatMap((table) => table.split('\n').slice(1))
          .map((line) => line.trim().split(/\s+/))
          // This connection only: by both ports and the ESTABLISHED state (01). A listener that took
          // the same port number later (SO_REUSEADDR lets a server bind a port a client socket uses;
          // the suite starts many on free ports) is listed first, with no timer.
          .filter(
            (fields) =>
              fields[1]?.endsWith(`:${localPort}`) &&
              fields[2]?.endsWith(`:${remotePort}`) &&
              fields[3] === '01',
          )
          .map((fields) => fields[5] ?? '')
      )
    }
    const found = await timers()
    expect(found).toHaveLength(1)
    const [timer] = found
    expect(timer).toMatch(/^02:/)
    const expiresInMs = Number.parseInt(timer!.slice(3), 16) * 10
    expect(expiresInMs).toBeGreaterThan(SHORT.keepAliveInitialDelayMs - MARGIN_MS)
    expect(expiresInMs).toBeLessThanOrEqual(SHORT.keepAliveInitialDelayMs)
  })
})
