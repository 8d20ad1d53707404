import type { PostgresPool, PostgresPoolClient } from 'kysely'
import type pg from 'pg'
import { QueryTimeoutError } from './database-errors.ts'

/** node-postgres's error when `query_timeout` passes without an answer. */
const READ_TIMEOUT_MESSAGE = 'Query read timeout'

/**
 * The pool as Kysely uses it, made safe against connections that go silent (a NAT that dropped the
 * flow, a failover), which node-postgres alone would keep for ever:
 * - a query that times out closes its connection at once, so the rollback behind it fails at once
 *   (with the timeout as its error) instead of waiting a timeout of its own, and the connection
 *   never returns to the pool;
 * - every connection opened before that timeout is retired when next taken from the pool: they
 *   probably share the dead path, and a new connection costs one connect where a silent one costs
 *   a whole query timeout;
 * - a connection the server ends while it is checked out (`idle_in_transaction_session_timeout`,
 *   `pg_terminate_backend`) has an error listener, so it fails its next query instead of the process.
 */
export function guardPool(pool: pg.Pool, queryTimeoutMs: number): PostgresPool {
  const openedAt = new WeakMap<pg.PoolClient, number>()
  let lastTimeoutAt = Number.NEGATIVE_INFINITY
  pool.on('connect', (client) => openedAt.set(client, performance.now()))

  function guarded(client: pg.PoolClient): PostgresPoolClient {
    let failure: Error | undefined
    const onError = (error: Error) => {
      failure ??= error
    }
    client.on('error', onError)
    const query = async (text: string, parameters: readonly unknown[]) => {
      // The rollback after a timeout (or after the server ended the session) fails with the cause.
      if (failure) throw failure
      try {
        return await client.query(text, [...parameters])
      } catch (error) {
        if (!(error instanceof Error) || error.message !== READ_TIMEOUT_MESSAGE) throw error
        lastTimeoutAt = performance.now()
        failure ??= new QueryTimeoutError(queryTimeoutMs, { cause: error })
        // With the timed-out query still in flight, end() destroys the socket rather than waiting
        // for a goodbye a silent peer never sends; the queries behind it fail at once.
        client.end().catch(() => undefined)
        throw failure
      }
    }
    return {
      // Only the (text, parameters) form: openDatabase configures no cursor.
      query: query as unknown as PostgresPoolClient['query'],
      release() {
        client.removeListener('error', onError)
        // With an error the pool discards the connection instead of keeping it.
        client.release(failure)
      },
    }
  }

  return {
    async connect() {
      for (;;) {
        const client = await pool.connect()
        if ((openedAt.get(client) ?? 0) > lastTimeoutAt) return guarded(client)
        client.release(new Error('opened before a query timed out'))
        // The pool's end() says goodbye and waits for the peer's close, which a silent one never
        // sends; destroying the socket frees it now (node-postgres's own way for a connect timeout).
        ;(
          client as pg.PoolClient & { connection?: { stream?: { destroy(): void } } }
        ).connection?.stream?.destroy()
      }
    },
    end: () => pool.end(),
  }
}
