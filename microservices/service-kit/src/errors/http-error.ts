import createError from '@fastify/error'

/** Marks the classes made by `httpError`, whose code and message are part of the API. */
const CODED = Symbol.for('@kafka-ref/service-kit.http-error')

/**
 * A coded HTTP error class. The code is stable and goes into the problem body, so clients can
 * branch on it without parsing messages; that holds for a deliberate 5xx too (a 503 "retry later").
 */
export function httpError(code: string, status: number, message: string) {
  const HttpError = createError(code, message, status)
  Object.defineProperty(HttpError.prototype, CODED, { value: true })
  return HttpError
}

/** True for an error made by an `httpError` class (not for any error that merely has a statusCode). */
export function isHttpError(error: unknown): error is Error & { code: string; statusCode: number } {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[CODED] === true
}
