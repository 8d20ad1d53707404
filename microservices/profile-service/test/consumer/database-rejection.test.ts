import { DeadLetterReasons } from '@kafka-ref/shared-contracts'
import { DatabaseError } from 'pg'
import { describe, expect, it } from 'vitest'
import { databaseRejection, isPermanentDataError } from '../../src/consumer/database-rejection.ts'

/** An error as node-postgres reports one from the server. */
function serverError(code: string, message = 'refused', detail?: string): DatabaseError {
  const error = new DatabaseError(message, 0, 'error')
  error.code = code
  error.detail = detail
  return error
}

describe('isPermanentDataError', () => {
  it.each([
    ['22001', 'string_data_right_truncation'],
    ['22P05', 'untranslatable_character (a lone surrogate turned into text)'],
    ['22021', 'character_not_in_repertoire'],
    ['22P02', 'invalid_text_representation'],
    ['23502', 'not_null_violation'],
    ['23514', 'check_violation'],
    ['54000', 'program_limit_exceeded'],
  ])('%s (%s): the data, never; dead-lettered', (code) => {
    expect(isPermanentDataError(serverError(code))).toBe(true)
  })

  it.each([
    ['08006', 'connection_failure'],
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['53100', 'disk_full'],
    ['53300', 'too_many_connections'],
    ['57014', 'query_canceled (statement timeout)'],
    ['57P01', 'admin_shutdown'],
    ['23505', 'unique_violation (depends on other rows)'],
    ['23503', 'foreign_key_violation (depends on other rows)'],
    ['54001', 'statement_too_complex'],
    ['XX000', 'internal_error'],
  ])('%s (%s): may pass later; retried', (code) => {
    expect(isPermanentDataError(serverError(code))).toBe(false)
  })

  it('never takes a client-side error for the database refusing the data', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
    const withDataCode = Object.assign(new Error('not from the server'), { code: '22001' })
    for (const error of [reset, withDataCode, new Error('timeout'), undefined, '22001']) {
      expect(isPermanentDataError(error)).toBe(false)
    }
  })
})

describe('databaseRejection', () => {
  it('says rejected_by_database, with the SQLSTATE, message and detail', () => {
    const error = serverError(
      '22P05',
      'unsupported Unicode escape sequence',
      'Unicode low surrogate must follow a high surrogate.',
    )
    expect(databaseRejection(error)).toEqual({
      reason: DeadLetterReasons.rejectedByDatabase,
      message:
        'SQLSTATE 22P05: unsupported Unicode escape sequence (Unicode low surrogate must follow a high surrogate.)',
    })
  })

  it('is undefined for an error worth retrying', () => {
    expect(databaseRejection(serverError('40001'))).toBeUndefined()
  })
})
