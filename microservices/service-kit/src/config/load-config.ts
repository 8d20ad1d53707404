import type { z } from 'zod'

/** A bad environment; its message is one line that names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value as DeepReadonly<T>
}

/** `password=` (also `sslpassword=`, a URL query's `&password=`) and its value, quoted or not. */
const PASSWORD_PARAMETER = /(password\s*=\s*)(?:'(?:\\.|[^'\\])*'?|\S*)/gi
/** Everything up to the last `@`: a URL's `user:password@`, with or without its scheme. */
const USER_INFO = /^([a-z][a-z\d+.-]*:\/\/)?.*@/is
/** libpq's keyword/value form (`host=db password=…`), where an `@` is no separator. */
const KEYWORD_VALUE = /^\s*\w+\s*=/

/**
 * The bad value is echoed to help fix it, but never a password: a DATABASE_URL is most often
 * invalid because of a character in its password, and this line ends up in logs. Connection
 * strings come as URLs, as `user:password@host/db` and as libpq's `key=value` pairs.
 */
function withoutCredentials(value: string): string {
  const masked = value.replace(PASSWORD_PARAMETER, '$1***')
  return KEYWORD_VALUE.test(masked) ? masked : masked.replace(USER_INFO, '$1***@')
}

/**
 * Parses the environment once, at start. Services read config only from the returned object,
 * so a missing variable fails here, by name, rather than at the first request that needs it.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): DeepReadonly<z.output<S>> {
  const result = schema.safeParse(env)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)'
      const given = issue.path.length ? env[String(issue.path[0])] : undefined
      return `${name}: ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(withoutCredentials(given))})`}`
    })
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`)
  }
  return deepFreeze(result.data)
}
