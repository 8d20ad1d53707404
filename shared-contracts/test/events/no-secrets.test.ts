import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { EventRegistry } from '../../src/events/registry.ts'

/**
 * Events are read by every consumer and kept for the topic's whole retention, so a credential
 * in one can never be taken back. Matches password, passwd, pwd, secret, hash, salt, token,
 * credential, in any case and anywhere in a name (passwordHash, apiToken, ...).
 */
const SECRET_NAME = /pass|pwd|secret|hash|salt|token|credential/i

/** Every property name anywhere in a JSON Schema, with its JSON Pointer, however deeply nested. */
function propertyNames(schema: unknown, pointer = ''): { name: string; pointer: string }[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => propertyNames(item, `${pointer}/${i}`))
  if (typeof schema !== 'object' || schema === null) return []
  const found: { name: string; pointer: string }[] = []
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'properties' || key === 'patternProperties') && typeof value === 'object' && value) {
      for (const name of Object.keys(value)) found.push({ name, pointer: `${pointer}/${key}/${name}` })
    }
    if (key === 'required' && Array.isArray(value)) {
      for (const name of value) found.push({ name: String(name), pointer: `${pointer}/required` })
    }
    found.push(...propertyNames(value, `${pointer}/${key}`))
  }
  return found
}

const secretFields = (schema: z.ZodType) =>
  propertyNames(z.toJSONSchema(schema, { io: 'input' })).filter(({ name }) => SECRET_NAME.test(name))

describe('no event carries a secret', () => {
  const registered = Object.entries(EventRegistry).flatMap(([type, versions]) =>
    Object.entries(versions).map(([version, schema]) => [`${type} v${version}`, schema] as const),
  )

  it('has events to check', () => {
    expect(registered.length).toBeGreaterThan(0)
  })

  it.each(registered)('%s has no password/secret/hash-like field', (_, schema) => {
    expect(secretFields(schema)).toEqual([])
  })

  // The check above must be able to fail: prove it finds nested and differently-cased names.
  it.each([
    ['a top-level password', z.object({ password: z.string() })],
    ['a nested passwordHash', z.object({ data: z.object({ user: z.object({ passwordHash: z.string() }) }) })],
    ['a field in an array item', z.object({ keys: z.array(z.object({ API_TOKEN: z.string() })) })],
    ['a field in a union member', z.object({ a: z.union([z.string(), z.object({ Salt: z.string() })]) })],
    ['a pwd in a record value', z.object({ m: z.record(z.string(), z.object({ pwd: z.string() })) })],
  ])('detects %s', (_, schema) => {
    expect(secretFields(schema)).not.toEqual([])
  })

  it('does not flag ordinary names', () => {
    expect(
      secretFields(z.object({ userId: z.string(), email: z.string(), displayName: z.string() })),
    ).toEqual([])
  })
})
