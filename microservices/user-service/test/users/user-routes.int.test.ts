import { randomUUID } from 'node:crypto'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { EventHeaders, PROBLEM_CONTENT_TYPE, RegisterUserResponse } from '@kafka-ref/shared-contracts'
import { addressesOfOneSlash64, LogCapture } from '@kafka-ref/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, register, registration, startApp, type TestContext } from '../helpers.ts'

let context: TestContext
let app: ZodFastify
const logs = new LogCapture()

beforeAll(async () => {
  context = await createTestContext()
  app = await startApp({ ...context.env, BODY_LIMIT_BYTES: '2048' }, logs)
})
afterAll(async () => {
  await app?.close()
})

describe('POST /user/register', () => {
  it('201: stores the user and returns it with a Location header', async () => {
    const body = registration({ displayName: 'Ada Lovelace' })
    const response = await register(app, body)

    expect(response.statusCode).toBe(201)
    const user = RegisterUserResponse.parse(response.json())
    expect(user).toMatchObject({ email: body.email, username: body.username, displayName: 'Ada Lovelace' })
    expect(Object.keys(response.json()).sort()).toEqual([
      'createdAt',
      'displayName',
      'email',
      'id',
      'username',
    ])
    expect(response.headers.location).toBe(`/user/${user.id}`)

    const fetched = await app.inject({ method: 'GET', url: response.headers.location as string })
    expect(fetched.statusCode).toBe(200)
    const { email: _email, ...publicFields } = user
    expect(fetched.json()).toEqual(publicFields)
  })

  it('writes the password nowhere: not in responses, events or logs', async () => {
    const body = registration({ password: 'P4ssw0rd-that-must-never-leak' })
    const response = await register(app, body)
    expect(response.statusCode).toBe(201)
    const { id } = response.json()
    const fetched = await app.inject({ method: 'GET', url: `/user/${id}` })

    const { password_hash: hash } = await app.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const outbox = await app.db.selectFrom('outbox').selectAll().where('key', '=', id).execute()
    expect(outbox).toHaveLength(1)

    const everything = [response.body, fetched.body, JSON.stringify(outbox), logs.text()].join('\n')
    expect(logs.text()).toContain(id) // the logs were captured at all
    expect(everything).not.toContain(body.password)
    expect(everything).not.toContain(hash)
    expect(everything).not.toContain(hash.split('$')[3]) // the salt
  })

  it('400: lists every invalid field as problem+json', async () => {
    const response = await register(app, { email: 'not-an-email', username: 'x', password: 'short' })

    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
    const problem = response.json()
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    const pointers = problem.errors.map((error: { pointer: string }) => error.pointer).sort()
    expect(pointers).toEqual(['/email', '/password', '/username'])
    expect(JSON.stringify(problem)).not.toContain('short')
  })

  it('400: rejects malformed JSON', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/user/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
    expect(response.json().code).toBe('FST_ERR_CTP_INVALID_JSON_BODY') // as the README documents
  })

  it('400, not 500: a display name PostgreSQL cannot store (NUL character)', async () => {
    const response = await register(app, registration({ displayName: 'Ada\u0000Lovelace' }))
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ pointer: '/displayName' }],
    })
  })

  it.each([
    ['displayName', { displayName: 'Ada\ud800' }],
    ['password', { password: 'correct horse \udc00battery' }],
  ])('400, not 500: a %s with a lone UTF-16 surrogate (valid JSON, no text)', async (field, overrides) => {
    // The JSON escape, as a client would send it: JSON.stringify writes a lone surrogate that way.
    const payload = JSON.stringify(registration(overrides))
    expect(payload).toMatch(/\\ud[89a-f][0-9a-f]{2}/)
    const response = await app.inject({
      method: 'POST',
      url: '/user/register',
      headers: { 'content-type': 'application/json' },
      payload,
    })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ in: 'body', pointer: `/${field}`, message: expect.stringMatching(/surrogate/) }],
    })
  })

  it('409: email taken, whatever its case', async () => {
    const first = registration()
    expect((await register(app, first)).statusCode).toBe(201)

    const response = await register(app, registration({ email: first.email.toUpperCase() }))
    expect(response.statusCode).toBe(409)
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
    expect(response.json()).toMatchObject({ status: 409, code: 'USER_EMAIL_TAKEN' })
  })

  it('409: username taken, whatever its case', async () => {
    const first = registration()
    expect((await register(app, first)).statusCode).toBe(201)

    const response = await register(app, registration({ username: first.username.toUpperCase() }))
    expect(response.statusCode).toBe(409)
    expect(response.json()).toMatchObject({ code: 'USER_USERNAME_TAKEN' })
  })

  it('409: concurrent registrations of one email: exactly one wins, one event', async () => {
    const email = registration().email
    const attempts = Array.from({ length: 8 }, (_, i) =>
      registration({ email: i % 2 ? email.toUpperCase() : email }),
    )
    const responses = await Promise.all(attempts.map((body) => register(app, body)))

    const statuses = responses.map((response) => response.statusCode).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409])
    const winner = responses.find((response) => response.statusCode === 201)!.json()
    const users = await app.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .execute()
    expect(users).toEqual([{ id: winner.id }])
    const events = await app.db.selectFrom('outbox').select('key').where('key', '=', winner.id).execute()
    expect(events).toHaveLength(1)
  })

  it('413: body over the limit', async () => {
    const response = await register(app, { ...registration(), displayName: 'x'.repeat(4096) })
    expect(response.statusCode).toBe(413)
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
  })

  it('415: body that is not JSON', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/user/register',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a@b.c',
    })
    expect(response.statusCode).toBe(415)
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
  })

  it('echoes the request id and stores it as the correlation id', async () => {
    const requestId = `req-${randomUUID()}`
    const response = await register(app, registration(), { 'x-request-id': requestId })
    expect(response.headers['x-request-id']).toBe(requestId)
    const row = await app.db
      .selectFrom('outbox')
      .select(['headers', 'value'])
      .where('key', '=', response.json().id)
      .executeTakeFirstOrThrow()
    expect(row.headers[EventHeaders.correlationId]).toBe(requestId)
    expect(JSON.parse(row.value).correlationid).toBe(requestId)
    expect(logs.lines.some((line) => line.includes(requestId) && line.includes('user registered'))).toBe(true)
  })
})

describe('GET /user/:id', () => {
  it('200: the public fields only; the email goes to the registering client alone', async () => {
    const body = registration()
    const { id } = (await register(app, body)).json()

    const response = await app.inject({ method: 'GET', url: `/user/${id}` })
    expect(response.statusCode).toBe(200)
    expect(Object.keys(response.json()).sort()).toEqual(['createdAt', 'displayName', 'id', 'username'])
    expect(response.body).not.toContain(body.email)
  })

  it('OpenAPI: the email is in the 201 of POST /user/register, not in the 200 of GET /user/{id}', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json()
    const schemaOf = (
      operation: { responses: Record<string, { content: Record<string, { schema: object }> }> },
      status: string,
    ) => {
      const schema = operation.responses[status]!.content['application/json']!.schema as { $ref?: string }
      return (schema.$ref ? spec.components.schemas[schema.$ref.split('/').pop()!] : schema) as {
        properties: Record<string, unknown>
      }
    }
    expect(Object.keys(schemaOf(spec.paths['/user/register'].post, '201').properties)).toContain('email')
    expect(Object.keys(schemaOf(spec.paths['/user/{id}'].get, '200').properties).sort()).toEqual([
      'createdAt',
      'displayName',
      'id',
      'username',
    ])
  })

  it('404: unknown id', async () => {
    const response = await app.inject({ method: 'GET', url: `/user/${randomUUID()}` })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' })
  })

  it('400: malformed id', async () => {
    const response = await app.inject({ method: 'GET', url: '/user/not-a-uuid' })
    expect(response.statusCode).toBe(400)
    expect(response.json().errors[0]).toMatchObject({ in: 'params', pointer: '/id' })
  })
})

describe('rate limit', () => {
  it('429 once a client exceeds REGISTER_RATE_LIMIT_MAX', async () => {
    const limited = await startApp({ ...context.env, REGISTER_RATE_LIMIT_MAX: '2' })
    try {
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await register(limited, registration())).statusCode)
      expect(statuses).toEqual([201, 201, 429])
    } finally {
      await limited.close()
    }
  })

  const registerVia = (target: ZodFastify, remoteAddress: string, forwardedFor: string) =>
    target.inject({
      method: 'POST',
      url: '/user/register',
      payload: registration(),
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor },
    })

  it('TRUST_PROXY off (default): a spoofed X-Forwarded-For does not escape the limit', async () => {
    const limited = await startApp({ ...context.env, REGISTER_RATE_LIMIT_MAX: '1' })
    try {
      const first = await registerVia(limited, '203.0.113.10', '198.51.100.1')
      const second = await registerVia(limited, '203.0.113.10', '198.51.100.2')
      expect([first.statusCode, second.statusCode]).toEqual([201, 429])
    } finally {
      await limited.close()
    }
  })

  it('IPv6: 300 registrations from distinct addresses of one /64 share a bucket; a client elsewhere registers', async () => {
    const limited = await startApp({ ...context.env, REGISTER_RATE_LIMIT_MAX: '20' })
    const from = (remoteAddress: string) =>
      limited.inject({ method: 'POST', url: '/user/register', payload: registration(), remoteAddress })
    try {
      const statuses: number[] = []
      for (const address of addressesOfOneSlash64(300, '2001:db8:5:6'))
        statuses.push((await from(address)).statusCode)
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201))
      expect(new Set(statuses.slice(20))).toEqual(new Set([429]))
      expect((await from('2001:db8:5:7::1')).statusCode).toBe(201)
      expect((await from('198.51.100.20')).statusCode).toBe(201)
    } finally {
      await limited.close()
    }
  })

  it('RATE_LIMIT_IPV6_PREFIX=48: the /64s of one /48 share a bucket', async () => {
    const limited = await startApp({
      ...context.env,
      REGISTER_RATE_LIMIT_MAX: '3',
      RATE_LIMIT_IPV6_PREFIX: '48',
    })
    const from = (remoteAddress: string) =>
      limited.inject({ method: 'POST', url: '/user/register', payload: registration(), remoteAddress })
    try {
      const statuses = []
      for (const subnet of ['1', '2', '3', 'ffff'])
        statuses.push((await from(`2001:db8:5:${subnet}::1`)).statusCode)
      expect(statuses).toEqual([201, 201, 201, 429])
      expect((await from('2001:db8:6::1')).statusCode).toBe(201)
    } finally {
      await limited.close()
    }
  })

  it('TRUST_PROXY: two clients behind a trusted proxy get separate buckets', async () => {
    const proxy = '10.0.0.7'
    const limited = await startApp({ ...context.env, REGISTER_RATE_LIMIT_MAX: '1', TRUST_PROXY: proxy })
    try {
      const statuses = []
      for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.1']) {
        statuses.push((await registerVia(limited, proxy, client)).statusCode)
      }
      expect(statuses).toEqual([201, 201, 429])
    } finally {
      await limited.close()
    }
  })
})
