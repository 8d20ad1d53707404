import type { FastifyServerOptions } from 'fastify'
import type { DestinationStream, LevelWithSilent } from 'pino'

export interface LoggerConfig {
  level: LevelWithSilent
  /** Where log lines go (defaults to stdout); tests pass a stream to read them. */
  stream?: DestinationStream
}

/**
 * Anything that could carry a secret is censored before it is written, wherever it sits in a
 * log object, so a careless `log.info({ body })` cannot leak a password.
 */
export const REDACTED_PATHS = [
  'password',
  'passwordHash',
  '*.password',
  '*.passwordHash',
  '*.*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
]

/**
 * Errors are logged by type, message, code and stack only. pino's standard serializer also copies
 * every enumerable property, and a node-postgres error carries its whole client (connection
 * parameters included): noise at best, a leaked credential at worst.
 */
export interface SerializedError {
  [key: string]: unknown
  type: string
  message: string
  stack: string
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' }
  const { code, statusCode } = error as Error & { code?: unknown; statusCode?: unknown }
  return {
    type: error.constructor.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(statusCode === undefined ? {} : { statusCode }),
    stack: error.stack ?? '',
    ...(error.cause === undefined ? {} : { cause: serializeError(error.cause) }),
  }
}

export function loggerOptions(service: string, config: LoggerConfig): FastifyServerOptions['logger'] {
  return {
    level: config.level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    ...(config.stream ? { stream: config.stream } : {}),
  }
}
