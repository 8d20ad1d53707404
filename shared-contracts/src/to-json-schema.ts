import { z } from 'zod'

/** A JSON Schema draft this package emits. */
export type JsonSchemaTarget = 'draft-2020-12' | 'draft-07'

/**
 * Internal to the package (not in its index): the one way a zod schema becomes JSON Schema, for
 * the JSON Schema files (draft 2020-12) and the AsyncAPI document (draft-07, the newest draft the
 * AsyncAPI parser accepts).
 *
 * `io: 'input'` describes what a reader accepts. zod's output mode would add
 * `additionalProperties: false`, which would make other-language consumers reject the extra
 * fields our evolution rules promise to tolerate.
 */
export function toJsonSchema(
  schema: z.ZodType,
  target: JsonSchemaTarget = 'draft-2020-12',
): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', target }) as Record<string, unknown>
}

/** The JSON Schema of one event type and data version: the whole structured-mode CloudEvent. */
export function eventJsonSchema(
  type: string,
  version: number,
  schema: z.ZodType,
  target: JsonSchemaTarget = 'draft-2020-12',
): Record<string, unknown> {
  return {
    ...toJsonSchema(schema, target),
    title: `${type} v${version}`,
    description: `CloudEvents 1.0 structured-mode envelope of '${type}', data version ${version}.`,
  }
}
