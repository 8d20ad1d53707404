import { PROBLEM_CONTENT_TYPE } from '@kafka-ref/shared-contracts'
import { LogCapture, OpenApiContract, type OpenApiDocument, validateOpenApi } from '@kafka-ref/testkit'
import type { LightMyRequestResponse } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createBaseApp,
  jsonResponse,
  LOCATION_HEADER,
  problemResponses,
  registerHealth,
  type ZodFastify,
} from '../../src/index.ts'
import { Busy } from '../helpers.ts'

const ID = '6f1c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4'
const Thing = z.object({ id: z.uuid(), name: z.string() }).meta({ id: 'Thing' })

let app: ZodFastify
afterEach(() => app?.close())

/** Routes declared the way the services declare theirs. */
async function buildDocumentedApp() {
  app = await createBaseApp({
    name: 'test-service',
    version: '0.0.0',
    description: 'test',
    logger: { level: 'silent', stream: new LogCapture().stream },
    corsOrigins: [],
    bodyLimit: 256,
  })
  app.post(
    '/things',
    {
      // Every request counts: the fifth of the test is over the limit.
      config: { rateLimit: { max: 4, timeWindow: 60_000 } },
      schema: {
        body: z.object({ name: z.string().min(3) }),
        response: {
          201: jsonResponse(Thing, 'Created', { location: LOCATION_HEADER }),
          ...problemResponses([400, 413, 415, 429]),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).header('location', `/things/${ID}`).send({ id: ID, name: request.body.name }),
  )
  app.get(
    '/things/:id',
    {
      schema: {
        params: z.object({ id: z.uuid() }),
        response: {
          200: jsonResponse(Thing, 'The thing'),
          ...problemResponses([400, 503], { 503: '`BUSY`: try later' }),
        },
      },
    },
    async () => {
      throw new Busy()
    },
  )
  app.get('/broken', { schema: { response: { 200: jsonResponse(Thing, 'Never') } } }, async () => {
    throw new Error('boom')
  })
  registerHealth(app, { checks: {}, intervalMs: 60_000 })
  await app.ready()
  return app
}

const served = (response: LightMyRequestResponse) => ({
  status: response.statusCode,
  headers: new Headers(response.headers as Record<string, string>),
  text: response.body,
})

describe('documented responses', () => {
  // A full validation by the parser: 1.4-2 s seen in CI, several under load, so vitest's 5 s default
  // would race the machine.
  it('produce a valid OpenAPI 3.1 document (@readme/openapi-parser)', { timeout: 60_000 }, async () => {
    await buildDocumentedApp()
    const document = app.swagger() as unknown as OpenApiDocument
    expect(document.openapi).toBe('3.1.0')
    const validation = await validateOpenApi(document)
    expect(validation.valid, validation.message).toBe(true)
  })

  it('declare problems as application/problem+json, resources as application/json, and a 500 on every route', async () => {
    await buildDocumentedApp()
    const document = app.swagger() as unknown as OpenApiDocument
    const responses = document.paths['/things']!.post!.responses as Record<string, { content: object }>
    expect(Object.keys(responses).sort()).toEqual(['201', '400', '413', '415', '429', '500'])
    expect(Object.keys(responses['201']!.content)).toEqual(['application/json'])
    for (const status of ['400', '413', '415', '429', '500']) {
      expect(Object.keys(responses[status]!.content), status).toEqual([PROBLEM_CONTENT_TYPE])
    }
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item))
        expect(Object.keys(operation.responses), path).toContain('500')
    }
  })

  it('document Location on a 201, Retry-After on 429 and 503, and the request id on every answer and request', async () => {
    await buildDocumentedApp()
    const document = app.swagger() as unknown as {
      paths: Record<
        string,
        Record<string, { parameters: object[]; responses: Record<string, { headers: object }> }>
      >
      components: { headers: Record<string, unknown> }
    }
    const post = document.paths['/things']!.post!
    expect(post.responses['201']!.headers).toMatchObject({ location: { required: true } })
    expect(post.responses['429']!.headers).toMatchObject({ 'retry-after': { required: true } })
    expect(document.paths['/things/{id}']!.get!.responses['503']!.headers).toMatchObject({
      'retry-after': { required: true, schema: { type: 'integer' } },
    })
    expect(post.responses['400']!.headers).not.toHaveProperty('retry-after')
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        expect(operation.parameters).toContainEqual({ $ref: '#/components/parameters/RequestId' })
        for (const response of Object.values(operation.responses)) {
          expect(response.headers).toMatchObject({
            'x-request-id': { $ref: '#/components/headers/RequestId' },
          })
        }
      }
    }
    expect(document.components.headers.RequestId).toMatchObject({ required: true })
  })

  it('match what is served: 201, 400, 413, 415, 429, 503 and 500', async () => {
    await buildDocumentedApp()
    const contract = new OpenApiContract(app.swagger() as unknown as OpenApiDocument)
    const post = (payload: string, contentType = 'application/json') =>
      app.inject({ method: 'POST', url: '/things', headers: { 'content-type': contentType }, payload })

    const answers = [
      await post('{"name":"x"}'),
      await post(JSON.stringify({ name: 'x'.repeat(300) })),
      await post('hello', 'text/plain'),
      await post('{"name":"thing"}'),
      await post('{"name":"thing"}'),
    ]
    expect(answers.map((answer) => answer.statusCode)).toEqual([400, 413, 415, 201, 429])
    for (const answer of answers) contract.assertDocumented('post', '/things', served(answer))

    const busy = await app.inject({ url: `/things/${ID}` })
    expect(busy.statusCode).toBe(503)
    contract.assertDocumented('get', '/things/{id}', served(busy))
    const broken = await app.inject({ url: '/broken' })
    expect(broken.statusCode).toBe(500)
    contract.assertDocumented('get', '/broken', served(broken))
    const live = await app.inject({ url: '/health/live' })
    contract.assertDocumented('get', '/health/live', served(live))
  })

  it('are held to the document by the contract check: an undeclared media type is named', async () => {
    await buildDocumentedApp()
    const contract = new OpenApiContract(app.swagger() as unknown as OpenApiDocument)
    const answer = served(await app.inject({ url: '/things/nope' }))
    const relabelled = {
      ...answer,
      headers: new Headers({ ...Object.fromEntries(answer.headers), 'content-type': 'application/json' }),
    }
    expect(contract.mismatches('get', '/things/{id}', relabelled)).toEqual([
      `content type application/json is not declared for 400 (declared: ${PROBLEM_CONTENT_TYPE})`,
    ])
  })
})
