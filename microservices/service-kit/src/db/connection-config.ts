import type pg from 'pg'
import { DATABASE_CONNECTION_DEFAULTS, type DatabaseConnectionSettings } from '../config/connection-env.ts'

/**
 * How long to wait for a new connection. An unreachable host (not a refused connection) would
 * otherwise hang requests and readiness checks for the OS's TCP timeout; failing fast turns it into
 * a 503 and a retry.
 */
export const CONNECT_TIMEOUT_MS = 5_000

/**
 * node-postgres settings for one connection: TCP keepalive, the server-side `statement_timeout` and
 * `idle_in_transaction_session_timeout` (sent at connect), the client-side `query_timeout`, and a
 * bounded connect. Used by every pool and by the `LISTEN` connection alike.
 */
export function pgConnectionConfig(
  connectionString: string,
  settings: DatabaseConnectionSettings = DATABASE_CONNECTION_DEFAULTS,
): pg.ClientConfig {
  return {
    connectionString,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: settings.keepAliveInitialDelayMs > 0,
    keepAliveInitialDelayMillis: settings.keepAliveInitialDelayMs,
    // node-postgres sends neither when 0, so a 0 leaves the server's own default in force.
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
    ...(settings.queryTimeoutMs > 0 && { query_timeout: settings.queryTimeoutMs }),
  }
}
