import type { z } from 'zod'
import { commonConfig } from './common-config.ts'
import type { commonEnv } from './env-types.ts'
import { type DeepReadonly, deepFreeze, loadConfig } from './load-config.ts'

/** The environment as a service reads it: `process.env` in production, a plain object in tests. */
export type Env = Record<string, string | undefined>

type CommonShape = ReturnType<typeof commonEnv>

/**
 * A service's `parseConfig`: parses `env` once against the service's schema (which spreads
 * `commonEnv`), maps the common variables with `commonConfig` and the service's own with `build`,
 * and returns one deeply frozen object. A bad or missing variable throws a one-line `ConfigError`.
 */
export function defineConfig<S extends z.ZodObject<CommonShape & z.core.$ZodLooseShape>, C extends object>(
  schema: S,
  build: (raw: DeepReadonly<z.output<S>>) => C,
) {
  return (env: Env = process.env) => {
    const raw = loadConfig(schema, env)
    // S spreads commonEnv (the constraint above), so raw has every common variable.
    const common = commonConfig(raw as unknown as Parameters<typeof commonConfig>[0])
    return deepFreeze({ ...common, ...build(raw) })
  }
}
