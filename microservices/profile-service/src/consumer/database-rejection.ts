import { DeadLetterReasons } from '@kafka-ref/shared-contracts'
import { DatabaseError } from 'pg'
import type { DeadLetterCause } from '../kafka/dead-letter/dead-letter-message.ts'

/**
 * SQLSTATEs that say "this data, never", whenever and however often it is tried: the event, not
 * the moment, is at fault, so retrying would hold its partition forever. Class 22 (data
 * exception: a value too long for its column, text PostgreSQL cannot hold, a bad cast), a broken
 * check (23514) or not-null (23502) constraint, and program_limit_exceeded (54000: e.g. a value
 * too large for an index row).
 *
 * Not here, because waiting can fix them: connection (08), transaction rollback (40:
 * serialization failure, deadlock), insufficient resources (53: disk full, too many
 * connections), operator intervention (57: shutdown, statement timeout), system and internal
 * errors (58, XX); a unique (23505) or foreign-key (23503) violation, which depends on other rows
 * that another event may still change; and the rest of class 54 (limits of the statement, not
 * of one event's data).
 */
const PERMANENT_CLASSES = new Set(['22'])
const PERMANENT_CODES = new Set(['23502', '23514', '54000'])

export function isPermanentDataError(error: unknown): error is DatabaseError {
  if (!(error instanceof DatabaseError) || typeof error.code !== 'string') return false
  return PERMANENT_CLASSES.has(error.code.slice(0, 2)) || PERMANENT_CODES.has(error.code)
}

/** Why the event is dead-lettered, if `error` says the database will never store it; else undefined. */
export function databaseRejection(error: unknown): DeadLetterCause | undefined {
  if (!isPermanentDataError(error)) return undefined
  const detail = error.detail ? ` (${error.detail})` : ''
  return {
    reason: DeadLetterReasons.rejectedByDatabase,
    message: `SQLSTATE ${error.code}: ${error.message}${detail}`,
  }
}
