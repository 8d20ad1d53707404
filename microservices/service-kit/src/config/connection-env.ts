import { envInt } from './env-types.ts'

/** How long the HTTP server gives a client (`HTTP_*`). */
export interface HttpTimeouts {
  /** Receiving a whole request, headers and body; `0`: no bound. Answering is not counted. */
  requestTimeoutMs: number
  /** A connection with no bytes either way (also while its answer is prepared); `0`: no bound. */
  connectionTimeoutMs: number
  /** An idle keep-alive connection between two requests. */
  keepAliveTimeoutMs: number
}

export const HTTP_TIMEOUT_DEFAULTS: Readonly<HttpTimeouts> = {
  requestTimeoutMs: 10_000,
  connectionTimeoutMs: 60_000,
  // Fastify's default: above the 60 s idle timeout of common load balancers, so the balancer, not
  // the service, closes an idle connection, and never one it is about to send a request on.
  keepAliveTimeoutMs: 72_000,
}

/** How every connection to PostgreSQL notices a dead peer or a silent network (`DATABASE_*`). */
export interface DatabaseConnectionSettings {
  /** TCP keepalive after this much idle time; `0`: no keepalive. */
  keepAliveInitialDelayMs: number
  /** `statement_timeout`: the server cancels a longer statement; `0`: none. */
  statementTimeoutMs: number
  /** An answer not received within this (the server may be unreachable) closes the connection; `0`: none. */
  queryTimeoutMs: number
  /** `idle_in_transaction_session_timeout`: the server ends a session idle this long inside a transaction; `0`: none. */
  idleInTransactionTimeoutMs: number
}

export const DATABASE_CONNECTION_DEFAULTS: Readonly<DatabaseConnectionSettings> = {
  keepAliveInitialDelayMs: 10_000,
  statementTimeoutMs: 10_000,
  queryTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 10_000,
}

/** Largest delay setTimeout honours; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647

/** The HTTP server's timeouts, spread into `commonEnv`. */
export function httpTimeoutEnv() {
  const d = HTTP_TIMEOUT_DEFAULTS
  return {
    HTTP_REQUEST_TIMEOUT_MS: envInt(d.requestTimeoutMs, { max: MAX_TIMER_MS }).describe(
      'A request (headers and body) not fully received within this gets `408` and its connection closed (checked every second), e.g. a client that sends its body a byte at a time; `0`: no bound. Answering is not counted: a `GET /profile/:id?waitMs=` may wait longer',
    ),
    HTTP_CONNECTION_TIMEOUT_MS: envInt(d.connectionTimeoutMs, { max: MAX_TIMER_MS }).describe(
      'A connection with no bytes either way for this long is closed, also while its answer is being prepared: keep it above the longest answer (a `waitMs` wait plus a database query timeout); `0`: no bound',
    ),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: envInt(d.keepAliveTimeoutMs, { min: 1, max: MAX_TIMER_MS }).describe(
      'An idle keep-alive connection is closed after this; keep it above the idle timeout of the load balancer in front (60 s for most), so the balancer never sends a request on a connection the service is closing',
    ),
  }
}

/** The settings of every PostgreSQL connection, spread into `commonEnv`. */
export function databaseConnectionEnv() {
  const d = DATABASE_CONNECTION_DEFAULTS
  return {
    DATABASE_KEEPALIVE_INITIAL_DELAY_MS: envInt(d.keepAliveInitialDelayMs, { max: MAX_TIMER_MS }).describe(
      'TCP keepalive on every database connection, first probe after this much idle time: keeps NAT/firewall state alive and lets the OS notice a peer that is gone; `0`: off',
    ),
    DATABASE_STATEMENT_TIMEOUT_MS: envInt(d.statementTimeoutMs, { max: MAX_TIMER_MS }).describe(
      "PostgreSQL's `statement_timeout` on every connection (migrations excepted): the server cancels a longer statement (a lock wait, say), and the request answers `503 DATABASE_UNAVAILABLE`; `0`: none",
    ),
    DATABASE_QUERY_TIMEOUT_MS: envInt(d.queryTimeoutMs, { max: MAX_TIMER_MS }).describe(
      "A query with no answer within this fails and its connection is closed, with every connection of its pool opened before it, so a silent network (a NAT that dropped the flow, a failover) costs one timeout, not the OS's ~15 min; migrations excepted. Above `DATABASE_STATEMENT_TIMEOUT_MS`, so a server that answers cancels first; `0`: none",
    ),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: envInt(d.idleInTransactionTimeoutMs, {
      max: MAX_TIMER_MS,
    }).describe(
      "PostgreSQL's `idle_in_transaction_session_timeout`: the server ends a session that waits this long inside a transaction (its client gone silent), freeing the rows it locked; `0`: none",
    ),
  }
}
