import type { z } from 'zod'
import { EventRegistry } from './events/registry.ts'
import { ProblemDetails } from './http/problem.ts'
import { ProfileResponse } from './http/profile.ts'
import { PublicUserResponse, RegisterUserRequest, RegisterUserResponse } from './http/user.ts'
import { eventJsonSchema, toJsonSchema } from './to-json-schema.ts'

/** Where the generated files are committed, relative to the package root. */
export const JSON_SCHEMA_DIR = 'json-schema'

/** The HTTP bodies other languages (and the browser) may want to validate. */
const httpSchemas: Record<string, z.ZodType> = {
  'register-user-request': RegisterUserRequest,
  'registered-user': RegisterUserResponse,
  'public-user': PublicUserResponse,
  profile: ProfileResponse,
  'problem-details': ProblemDetails,
}

/**
 * Every JSON Schema file, keyed by its path relative to {@link JSON_SCHEMA_DIR}: one per event
 * type and data version (`<type>.v<version>.json`, derived from the registry so a new version
 * cannot be forgotten) and one per HTTP body (`http/<name>.json`). Pure, so the generator script
 * writes it and a unit test compares it with the committed files.
 */
export function jsonSchemas(): Record<string, Record<string, unknown>> {
  const files: Record<string, Record<string, unknown>> = {}
  for (const [type, versions] of Object.entries(EventRegistry)) {
    for (const [version, schema] of Object.entries(versions as Record<string, z.ZodType>)) {
      files[`${type}.v${version}.json`] = eventJsonSchema(type, Number(version), schema)
    }
  }
  for (const [name, schema] of Object.entries(httpSchemas)) {
    files[`http/${name}.json`] = toJsonSchema(schema)
  }
  return files
}

/**
 * The exact bytes of a committed schema file (and of the AsyncAPI document): stable key order from
 * zod, two-space indent.
 */
export function serializeJsonSchema(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`
}
