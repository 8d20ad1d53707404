import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listFiles, packageRoot } from '../scripts/files.ts'
import { EventRegistry } from '../src/events/registry.ts'
import { JSON_SCHEMA_DIR, jsonSchemas, serializeJsonSchema } from '../src/json-schema.ts'

const REGENERATE = 'pnpm --filter @kafka-ref/shared-contracts contracts:generate'
const dir = join(packageRoot, JSON_SCHEMA_DIR)
const generated = jsonSchemas()

describe('jsonSchemas', () => {
  it('has one file per registered event type and version, and one per HTTP body', () => {
    const eventFiles = Object.entries(EventRegistry).flatMap(([type, versions]) =>
      Object.keys(versions).map((version) => `${type}.v${version}.json`),
    )
    expect(Object.keys(generated).sort()).toEqual(
      [
        ...eventFiles,
        'http/problem-details.json',
        'http/profile.json',
        'http/public-user.json',
        'http/register-user-request.json',
        'http/registered-user.json',
      ].sort(),
    )
  })

  it('emits draft 2020-12 schemas', () => {
    for (const schema of Object.values(generated)) {
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    }
  })

  it('lets readers tolerate unknown fields (no additionalProperties: false)', () => {
    for (const [path, schema] of Object.entries(generated)) {
      expect(serializeJsonSchema(schema), path).not.toContain('"additionalProperties": false')
    }
  })

  it('describes the event envelope and its data', () => {
    const schema = generated['user_register.v1.json'] as {
      properties: Record<string, { const?: unknown; required?: string[] }>
    }
    expect(schema.properties.type?.const).toBe('user_register')
    expect(schema.properties.dataversion?.const).toBe(1)
    expect(schema.properties.data?.required).toEqual(['userId', 'email', 'username', 'registeredAt'])
  })
})

describe('committed JSON Schema files', () => {
  it(`match the zod schemas (if not, run: ${REGENERATE})`, async () => {
    const committed = await listFiles(dir, '.json')
    expect(committed, `files in ${JSON_SCHEMA_DIR}/ are stale; run: ${REGENERATE}`).toEqual(
      Object.keys(generated).sort(),
    )
    for (const [path, schema] of Object.entries(generated)) {
      const text = await readFile(join(dir, path), 'utf8')
      expect(text, `${JSON_SCHEMA_DIR}/${path} is stale; run: ${REGENERATE}`).toBe(
        serializeJsonSchema(schema),
      )
    }
  })
})
