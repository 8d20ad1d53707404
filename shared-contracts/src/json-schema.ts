import { z } from 'zod'
import { EventRegistry } from './events/registry.ts'
import { ProblemDetails } from './http/problem.ts'
import { ProfileResponse } from './http/profile.ts'
import { PublicUserResponse, RegisterUserRequest, RegisterUserResponse } from './http/user.ts'

/** Where the generated files are committed, relative to the package root. */
export const JSON_SCHEMA_DIR = 'json-schema'

/**
 * `io: 'input'` describes what a reader accepts. zod's output mode would add
 * `additionalProperties: false`, which would make other-language consumers reject the extra
 * fields our evolution rules promise to tolerate.
 */
const toJsonSchema = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>

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
      files[`${type}.v${version}.json`] = {
        ...toJsonSchema(schema),
        title: `${type} v${version}`,
        description: `CloudEvents 1.0 structured-mode envelope of '${type}', data version ${version}.`,
      }
    }
  }
  for (const [name, schema] of Object.entries(httpSchemas)) {
    files[`http/${name}.json`] = toJsonSchema(schema)
  }
  return files
}

/** The exact bytes of a committed schema file: stable key order from zod, two-space indent. */
export function serializeJsonSchema(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`
}
