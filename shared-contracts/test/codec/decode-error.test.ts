import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DecodeError, DecodeErrorReasons } from '../../src/codec/decode-error.ts'

describe('DecodeErrorReasons', () => {
  it('are the stable snake_case values put in dead-letter headers', () => {
    expect(Object.values(DecodeErrorReasons).sort()).toEqual([
      'empty',
      'not_an_event',
      'not_json',
      'oversized',
      'schema_violation',
      'unknown_type',
      'unsupported_version',
    ])
  })
})

describe('DecodeError', () => {
  it('is an Error with a reason, a message and no issues by default', () => {
    const error = new DecodeError(DecodeErrorReasons.empty, 'message has no value')
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(DecodeError)
    expect(error.name).toBe('DecodeError')
    expect(error.reason).toBe('empty')
    expect(error.message).toBe('message has no value')
    expect(error.issues).toEqual([])
  })

  it('carries zod issues', () => {
    const issues = z.object({ a: z.string() }).safeParse({}).error?.issues ?? []
    expect(issues).not.toHaveLength(0)
    const error = new DecodeError(DecodeErrorReasons.schemaViolation, 'bad', issues)
    expect(error.issues).toBe(issues)
    expect(error.issues[0]?.path).toEqual(['a'])
  })
})
