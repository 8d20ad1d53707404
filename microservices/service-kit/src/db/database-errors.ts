/** A query with no answer within `DATABASE_QUERY_TIMEOUT_MS`: its connection is closed. */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError'
  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`the database did not answer within ${timeoutMs} ms; the connection was closed`, options)
  }
}

/**
 * SQLSTATEs that say "not now" rather than "never": connection exceptions (class 08), a statement
 * cancelled by `statement_timeout` (57014), a server shutting down or starting (57P01-57P03), no
 * connection slot left (53300), a session ended by `idle_in_transaction_session_timeout` (25P03).
 */
const TRANSIENT_SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300', '25P03'])

/** Socket failures on the way to the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** node-postgres's own messages for a connection that is gone or could not be made in time. */
const LOST_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/

/**
 * True when the database could not be reached or did not answer in time: worth answering `503`
 * (try again) rather than `500`, and worth retrying in a worker.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  if (error instanceof QueryTimeoutError) return true
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (code.startsWith('08') && code.length === 5) return true
    if (TRANSIENT_SQLSTATES.has(code) || NETWORK_CODES.has(code)) return true
  }
  return LOST_CONNECTION.test(error.message)
}
