import type { FastifyInstance } from 'fastify'
import { problemResponse } from './documented-responses.ts'

/**
 * Any route can fail unexpectedly: each documented route declares the problem handler's 500, for
 * the document and for Fastify's serializer alike. Applies to routes added after this call.
 */
export function declareInternalError(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined
    if (!schema || schema.hide) return
    schema.response = { 500: problemResponse(500), ...schema.response }
  })
}
