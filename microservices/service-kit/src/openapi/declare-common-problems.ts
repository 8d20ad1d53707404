import type { FastifyInstance } from 'fastify'
import { problemResponse } from './documented-responses.ts'

/**
 * Problems any documented route can answer, declared on each (for the document and for Fastify's
 * serializer alike): the problem handler's 500, and, when under-pressure guards the app, its 503
 * with Retry-After (except on the routes it exempts). A route's own description of a status wins.
 * Applies to routes added after this call.
 */
export function declareCommonProblems(app: FastifyInstance, { overload }: { overload: boolean }) {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined
    if (!schema || schema.hide) return
    const exempt = (route.config as { pressureHandler?: unknown } | undefined)?.pressureHandler !== undefined
    schema.response = {
      500: problemResponse(500),
      ...(overload && !exempt ? { 503: problemResponse(503) } : {}),
      ...schema.response,
    }
  })
}
