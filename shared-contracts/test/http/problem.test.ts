import { describe, expect, it } from 'vitest'
import { FieldError, PROBLEM_CONTENT_TYPE, ProblemDetails } from '../../src/http/problem.ts'

const problem = {
  type: 'https://example.com/problems/validation',
  title: 'Invalid request',
  status: 400,
  code: 'VALIDATION_FAILED',
}

describe('PROBLEM_CONTENT_TYPE', () => {
  it('is the RFC 9457 media type', () => {
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json')
  })
})

describe('FieldError', () => {
  it('locates an error by request part and JSON Pointer', () => {
    const error = { in: 'body', pointer: '/email', message: 'Invalid email address' }
    expect(FieldError.parse(error)).toEqual(error)
  })

  it('knows only the four request parts', () => {
    expect(FieldError.safeParse({ in: 'cookie', pointer: '/a', message: 'm' }).success).toBe(false)
  })
})

describe('ProblemDetails', () => {
  it('accepts the minimal and the full form', () => {
    expect(ProblemDetails.parse(problem)).toEqual(problem)
    const full = {
      ...problem,
      detail: 'email is invalid',
      instance: '/users',
      errors: [{ in: 'body', pointer: '/email', message: 'Invalid email address' }],
    }
    expect(ProblemDetails.parse(full)).toEqual(full)
  })

  it.each(['type', 'title', 'status', 'code'])('requires %s', (name) => {
    expect(ProblemDetails.safeParse({ ...problem, [name]: undefined }).success).toBe(false)
  })

  it.each([399, 600, 404.5, '404'])('rejects status %j: only error statuses are problems', (status) => {
    expect(ProblemDetails.safeParse({ ...problem, status }).success).toBe(false)
  })

  it('accepts 400 through 599', () => {
    expect(ProblemDetails.safeParse({ ...problem, status: 599 }).success).toBe(true)
  })

  it('validates each field error', () => {
    const result = ProblemDetails.safeParse({ ...problem, errors: [{ in: 'body', message: 'm' }] })
    expect(result.error?.issues[0]?.path).toEqual(['errors', 0, 'pointer'])
  })
})
