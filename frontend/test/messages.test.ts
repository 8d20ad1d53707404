import { describe, expect, it } from 'vitest'
import type { ApiFailure } from '../src/api/http.ts'
import { failureMessage } from '../src/messages.ts'

const problem = (
  status: number,
  extra: Partial<Extract<ApiFailure, { kind: 'problem' }>> = {},
): ApiFailure => ({
  kind: 'problem',
  status,
  problem: { type: 'about:blank', title: 'Too Many Requests', status, code: `HTTP_${status}` },
  retryAfterS: undefined,
  requestId: undefined,
  ...extra,
})

describe('failureMessage', () => {
  it('gives the retry time of a 429 or 503 when the server sent one', () => {
    expect(failureMessage(problem(429, { retryAfterS: 42 }))).toBe(
      'Too many attempts from this address. Try again in 42 seconds.',
    )
    expect(failureMessage(problem(503, { retryAfterS: 1 }))).toBe(
      'The service is busy right now. Try again in 1 second.',
    )
    expect(failureMessage(problem(503))).toBe('The service is busy right now. Try again in a moment.')
  })

  it('tells offline from a server that cannot be reached', () => {
    expect(failureMessage({ kind: 'network' }, true)).toMatch(/^Cannot reach the server/)
    expect(failureMessage({ kind: 'network' }, false)).toMatch(/^You are offline/)
  })

  it('shows no internals of a 500, only the request id to quote', () => {
    expect(failureMessage(problem(500, { requestId: 'req-1' }))).toBe(
      'Something went wrong on our side (reference req-1). Please try again in a moment.',
    )
  })

  it("shows a client error's detail", () => {
    const failure = problem(413)
    if (failure.kind === 'problem') failure.problem.detail = 'request body is too large'
    expect(failureMessage(failure)).toBe('Request body is too large.')
  })
})
