import { Writable } from 'node:stream'
import { z } from 'zod'
import { createBaseApp, httpError } from '../src/index.ts'

/** Collects log lines so tests can assert what was (not) logged. */
export function logCapture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { stream, lines, text: () => lines.join('\n') }
}

export const Teapot = httpError('TEAPOT', 418, 'short and stout')

/** A small app with one route of each kind the error handler must map. */
export async function buildTestApp(log = logCapture()) {
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
  app.get('/boom', async () => {
    throw new Error('secret internal detail')
  })
  await app.ready()
  return app
}
