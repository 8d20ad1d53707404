import createError from '@fastify/error'

/**
 * A coded HTTP error class. The code is stable and goes into the problem body, so clients can
 * branch on it without parsing messages.
 */
export function httpError(code: string, status: number, message: string) {
  return createError(code, message, status)
}
