import { z } from 'zod'

/** `a,b , c` → ['a', 'b', 'c']; an empty string is an empty list. */
export const commaList = () =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )

/** `host:port,host:port` → a non-empty list of brokers. */
export const brokerList = () =>
  commaList().pipe(z.array(z.string().min(1)).min(1, 'needs at least one host:port'))

export const envInt = (defaultValue: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue)

export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1')

export const postgresUrl = () => z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })

/** Variables every service reads, with their defaults. Spread into a service's own schema. */
export function commonEnv(defaults: { port: number }) {
  return {
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: envInt(defaults.port, { min: 0, max: 65_535 }),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: postgresUrl(),
    KAFKA_BROKERS: brokerList(),
    KAFKA_TOPIC_NAMESPACE: z
      .string()
      .regex(/^[a-zA-Z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"')
      .default(''),
    CORS_ORIGINS: commaList().default([]),
    SHUTDOWN_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  }
}
