import { LogCapture } from '@kafka-ref/testkit'
import { z } from 'zod'
import { type BaseAppOptions, createBaseApp, httpError } from '../src/index.ts'

export const Teapot = httpError('TEAPOT', 418, 'short and stout')
export const Busy = httpError('BUSY', 503, 'too busy; retry later')

/** The base app with test defaults (silent, no CORS origins); a test adds its own routes. */
export function createTestBaseApp(options: Partial<BaseAppOptions> = {}) {
  return createBaseApp({
    name: 'test-service',
    version: '0.0.0',
    description: 'test',
    logger: { level: 'silent' },
    corsOrigins: [],
    ...options,
  })
}

/** A small app with one route of each kind the error handler must map. */
export async function buildTestApp(log = new LogCapture()) {
  const app = await createBaseApp({
    name: 'test-service',
    version: '0.0.0',
    description: 'test',
    logger: { level: 'info', stream: log.stream },
    corsOrigins: ['http://frontend.test'],
    bodyLimit: 256,
  })
  app.post(
    '/things/:id',
    {
      schema: {
        params: z.object({ id: z.uuid() }),
        body: z.object({ name: z.string().min(3), password: z.string() }),
        response: { 201: z.object({ name: z.string() }) },
      },
    },
    async (request, reply) => reply.code(201).send({ name: request.body.name }),
  )
  app.get('/teapot', async () => {
    throw new Teapot()
  })
  app.get('/busy', async (_request, reply) => {
    reply.header('retry-after', '7')
    throw new Busy()
  })
  app.get('/boom', async () => {
    throw new Error('secret internal detail')
  })
  app.get('/unavailable', async () => {
    throw Object.assign(new Error('secret pool detail'), { statusCode: 503, code: 'POOL_GONE' })
  })
  await app.ready()
  return app
}
