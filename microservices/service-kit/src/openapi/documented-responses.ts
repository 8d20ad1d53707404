import { PROBLEM_CONTENT_TYPE, ProblemDetails } from '@kafka-ref/shared-contracts'
import type { z } from 'zod'

export const JSON_CONTENT_TYPE = 'application/json'

/**
 * An OpenAPI Header Object. Its `schema` is plain JSON Schema: a header value is text, and these
 * few are simpler written out than derived.
 */
export interface HeaderObject {
  description: string
  /** True when every response of that status carries it. */
  required?: boolean
  schema: Record<string, unknown>
}

/**
 * A response as both Fastify and the document read it: Fastify picks the serializer by status and
 * by the reply's media type (`content`), @fastify/swagger documents the same `content`; `headers`
 * go into the document only (see openapi-transforms.ts).
 */
export interface DocumentedResponse<S extends z.ZodType = z.ZodType> {
  description: string
  content: Record<string, { schema: S }>
  headers?: Record<string, HeaderObject>
}

export const LOCATION_HEADER: HeaderObject = {
  description: 'The path of the created resource',
  required: true,
  schema: { type: 'string', format: 'uri-reference' },
}

export const RETRY_AFTER_HEADER: HeaderObject = {
  description: 'Seconds to wait before trying again',
  required: true,
  schema: { type: 'integer', minimum: 0 },
}

/** A resource served as `application/json`. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  description: string,
  headers?: Record<string, HeaderObject>,
): DocumentedResponse<S> {
  return { description, content: { [JSON_CONTENT_TYPE]: { schema } }, ...(headers ? { headers } : {}) }
}

/** What each status the problem handler serves means, unless a route says more. */
export const PROBLEM_DESCRIPTIONS = {
  400: 'The request is invalid: `VALIDATION_FAILED` lists each invalid field in `errors`; a body that is not JSON, or empty, has its own `FST_ERR_CTP_*` code',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The request body is larger than the limit (`FST_ERR_CTP_BODY_TOO_LARGE`)',
  415: 'The request body is not `application/json` (`FST_ERR_CTP_INVALID_MEDIA_TYPE`)',
  429: '`HTTP_429`: too many requests from this client in the rate-limit window; try again after `Retry-After` seconds',
  500: 'An unexpected failure (`INTERNAL_ERROR`); the body says nothing about its cause',
  503: 'Overloaded (`SERVICE_OVERLOADED`) or the database unavailable (`DATABASE_UNAVAILABLE`) for now: try again after `Retry-After` seconds',
} as const
export type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS

/** Statuses that always carry `Retry-After` (the problem handler sees to it). */
const RETRYABLE = new Set<number>([429, 503])

/** An RFC 9457 problem served as `application/problem+json` by the problem handler. */
export function problemResponse(
  status: ProblemStatus,
  description: string = PROBLEM_DESCRIPTIONS[status],
): DocumentedResponse<typeof ProblemDetails> {
  return {
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetails } },
    ...(RETRYABLE.has(status) ? { headers: { 'retry-after': RETRY_AFTER_HEADER } } : {}),
  }
}

/**
 * The problem responses of a route, e.g. `...problemResponses([400, 404])`, each with the default
 * description or the route's own (`{ 409: 'USER_EMAIL_TAKEN or USER_USERNAME_TAKEN' }`). Every route
 * gets a 500 without asking (createBaseApp).
 */
export function problemResponses<S extends ProblemStatus>(
  statuses: readonly S[],
  descriptions: Partial<Record<S, string>> = {},
): Record<S, DocumentedResponse<typeof ProblemDetails>> {
  return Object.fromEntries(
    statuses.map((status) => [status, problemResponse(status, descriptions[status])]),
  ) as Record<S, DocumentedResponse<typeof ProblemDetails>>
}
