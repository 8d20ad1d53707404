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

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value as DeepReadonly<T>
}

/**
 * The bad value is echoed to help fix it, but never a URL's credentials: a DATABASE_URL is most
 * often invalid because of a character in its password, and this line ends up in logs.
 */
const withoutCredentials = (value: string) => value.replace(/^([a-z][a-z\d+.-]*:\/\/).*@/i, '$1***@')

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
