import { PROBLEM_CONTENT_TYPE, ProblemDetails } from '@kafka-ref/shared-contracts'
import { LogCapture } from '@kafka-ref/testkit'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { QueryTimeoutError } from '../../src/index.ts'
import { buildTestApp, createTestBaseApp } from '../helpers.ts'

const ID = '6f1c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4'
let app: FastifyInstance
afterEach(() => app?.close())

function expectProblem(response: { headers: Record<string, unknown>; json: () => unknown }, status: number) {
  expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
  const body = ProblemDetails.parse(response.json())
  expect(body.status).toBe(status)
  return body
}

describe('problem handler', () => {
  it('lists each invalid body field with a JSON pointer', async () => {
    app = await buildTestApp()
    const response = await app.inject({ method: 'POST', url: `/things/${ID}`, payload: { name: 'x' } })
    expect(response.statusCode).toBe(400)
    const body = expectProblem(response, 400)
    expect(body.code).toBe('VALIDATION_FAILED')
    expect(body.errors?.map((error) => [error.in, error.pointer]).sort()).toEqual([
      ['body', '/name'],
      ['body', '/password'],
    ])
  })

  it('reports an invalid path parameter as a params error', async () => {
    app = await buildTestApp()
    const response = await app.inject({
      method: 'POST',
      url: '/things/nope',
      payload: { name: 'abc', password: 'p' },
    })
    const body = expectProblem(response, 400)
    expect(body.errors?.[0]).toMatchObject({ in: 'params', pointer: '/id' })
  })

  it.each([
    ['malformed JSON', { 'content-type': 'application/json' }, '{"name":', 400],
    [
      'a body over the limit',
      { 'content-type': 'application/json' },
      JSON.stringify({ name: 'x'.repeat(400) }),
      413,
    ],
    ['a non-JSON body', { 'content-type': 'text/plain' }, 'hello', 415],
  ])('answers %s with its 4xx status', async (_name, headers, payload, status) => {
    app = await buildTestApp()
    const response = await app.inject({ method: 'POST', url: `/things/${ID}`, headers, payload })
    expect(response.statusCode).toBe(status)
    expectProblem(response, status)
  })

  it('keeps a coded client error its status, code and message', async () => {
    app = await buildTestApp()
    const body = expectProblem(await app.inject({ url: '/teapot' }), 418)
    expect(body).toMatchObject({ code: 'TEAPOT', detail: 'short and stout', instance: '/teapot' })
  })

  it('keeps a coded 503 its code, message and the Retry-After the route set', async () => {
    const log = new LogCapture()
    app = await buildTestApp(log)
    const response = await app.inject({ url: '/busy' })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('7')
    expect(expectProblem(response, 503)).toMatchObject({ code: 'BUSY', detail: 'too busy; retry later' })
    expect(log.text()).not.toContain('request failed')
  })

  it('hides the internals of a 503 not made with httpError, even one with a code', async () => {
    app = await buildTestApp()
    const body = expectProblem(await app.inject({ url: '/unavailable' }), 503)
    expect(body.code).toBe('INTERNAL_ERROR')
    expect(JSON.stringify(body)).not.toContain('secret pool detail')
  })

  it('gives every 503 a Retry-After, as the documents promise, also one whose route set none', async () => {
    app = await buildTestApp()
    const response = await app.inject({ url: '/unavailable' })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('5')
  })

  it('answers 503 DATABASE_UNAVAILABLE when the database did not answer in time or cannot be reached', async () => {
    const log = new LogCapture()
    app = await createTestBaseApp({ logger: { level: 'info', stream: log.stream } })
    const failures: Record<string, Error> = {
      'query-timeout': new QueryTimeoutError(1_000),
      'statement-timeout': Object.assign(new Error('canceling statement due to statement timeout'), {
        code: '57014',
      }),
      refused: Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' }),
      lost: new Error('Connection terminated unexpectedly'),
      'data-error': Object.assign(new Error('duplicate key value violates unique constraint'), {
        code: '23505',
      }),
    }
    app.get('/db/:failure', async (request) => {
      throw failures[(request.params as { failure: string }).failure]
    })
    for (const failure of ['query-timeout', 'statement-timeout', 'refused', 'lost']) {
      const response = await app.inject({ url: `/db/${failure}` })
      expect(expectProblem(response, 503).code, failure).toBe('DATABASE_UNAVAILABLE')
      expect(response.headers['retry-after'], failure).toBe('5')
      expect(response.body, failure).not.toContain('10.1.2.3')
    }
    expect(log.text()).toContain('10.1.2.3')
    // A database error that retrying does not cure stays an internal error.
    expect(expectProblem(await app.inject({ url: '/db/data-error' }), 500).code).toBe('INTERNAL_ERROR')
  })

  it('hides internals of a 500 but logs them', async () => {
    const log = new LogCapture()
    app = await buildTestApp(log)
    const response = await app.inject({ url: '/boom' })
    const body = expectProblem(response, 500)
    expect(JSON.stringify(body)).not.toContain('secret internal detail')
    expect(log.text()).toContain('secret internal detail')
  })

  it('answers an unknown route with a 404 problem', async () => {
    app = await buildTestApp()
    expect(expectProblem(await app.inject({ url: '/nowhere' }), 404).code).toBe('ROUTE_NOT_FOUND')
  })
})
