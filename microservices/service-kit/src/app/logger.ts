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

export function loggerOptions(service: string, config: LoggerConfig): FastifyServerOptions['logger'] {
  return {
    level: config.level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(config.stream ? { stream: config.stream } : {}),
  }
}
