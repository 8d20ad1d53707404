import { STATUS_CODES } from 'node:http'
import { type FieldError, PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@kafka-ref/shared-contracts'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { isDatabaseUnavailable } from '../db/database-errors.ts'
import { isHttpError } from './http-error.ts'

type Location = FieldError['in']
const LOCATIONS = new Set<string>(['body', 'params', 'querystring', 'headers'])

function problem(status: number, code: string, detail?: string, errors?: FieldError[]): ProblemDetails {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
  }
}

function validationProblem(error: FastifyError): ProblemDetails {
  const location = LOCATIONS.has(error.validationContext ?? '')
    ? (error.validationContext as Location)
    : 'body'
  const errors = (error.validation ?? []).map((item) => ({
    in: location,
    pointer: item.instancePath || '/',
    message: item.message ?? 'is invalid',
  }))
  return problem(400, 'VALIDATION_FAILED', `The request ${location} is invalid.`, errors)
}

/**
 * What a 429 or 503 without its own `Retry-After` says: the document promises the header on both.
 * The rate limiter and the routes' own 503s set a better value.
 */
const DEFAULT_RETRY_AFTER_SECONDS: Partial<Record<number, string>> = { 429: '60', 503: '5' }

function send(request: FastifyRequest, reply: FastifyReply, body: ProblemDetails) {
  const retryAfter = DEFAULT_RETRY_AFTER_SECONDS[body.status]
  if (retryAfter !== undefined && !reply.hasHeader('retry-after')) reply.header('retry-after', retryAfter)
  return reply
    .code(body.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...body, instance: request.url })
}

/**
 * The one place errors become responses: RFC 9457 problem details. Client mistakes and the 5xx
 * errors made with `httpError` keep their status, code and message; anything else is a 500 whose
 * body says nothing about internals.
 */
export function installProblemHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return send(request, reply, validationProblem(error))
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      request.log.info({ code: error.code, status }, error.message)
      return send(request, reply, problem(status, error.code ?? `HTTP_${status}`, error.message))
    }
    if (isHttpError(error)) {
      // Raised on purpose (over capacity, say): an answer with a code, not an internal failure.
      request.log.info({ code: error.code, status }, error.message)
      return send(request, reply, problem(status, error.code, error.message))
    }
    if (isDatabaseUnavailable(error)) {
      // Transient (a timeout, a lost connection): the client may retry; the cause is logged only.
      request.log.warn({ err: error }, 'database unavailable')
      return send(
        request,
        reply,
        problem(503, 'DATABASE_UNAVAILABLE', 'The database did not answer in time; try again later.'),
      )
    }
    request.log.error({ err: error }, 'request failed')
    return send(request, reply, problem(status >= 500 && status < 600 ? status : 500, 'INTERNAL_ERROR'))
  })

  app.setNotFoundHandler((request, reply) =>
    send(request, reply, problem(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url}`)),
  )
}
