import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ASYNCAPI_FILE } from '../../src/asyncapi.ts'
import { JSON_SCHEMA_DIR } from '../../src/json-schema.ts'
import { listFiles } from '../files.ts'

export type Json = Record<string, unknown>

/**
 * A released or working contract: the AsyncAPI document and the JSON Schema file of every event
 * data version (`<type>.v<version>.json`), keyed by file name. The HTTP schemas are not part of it:
 * they are the services' own API, checked against their OpenAPI documents.
 */
export interface Contract {
  asyncapi: Json
  schemas: Record<string, Json>
}

/** Where the released contract is kept, relative to the package root, in the same layout. */
export const BASELINE_DIR = 'baseline'

const EVENT_SCHEMA_FILE = /^[a-z][a-z0-9_]*\.v\d+\.json$/

/** The event schema files of a contract folder (the package root, or the baseline). */
export async function contractFiles(root: string): Promise<string[]> {
  const schemas = (await listFiles(join(root, JSON_SCHEMA_DIR), '.json')).filter((file) =>
    EVENT_SCHEMA_FILE.test(file),
  )
  return [ASYNCAPI_FILE, ...schemas.map((file) => `${JSON_SCHEMA_DIR}/${file}`)]
}

export async function readContract(root: string): Promise<Contract> {
  const read = async (path: string) => JSON.parse(await readFile(join(root, path), 'utf8')) as Json
  const [asyncapiFile, ...schemaFiles] = await contractFiles(root)
  const schemas: Record<string, Json> = {}
  for (const path of schemaFiles) schemas[path.slice(JSON_SCHEMA_DIR.length + 1)] = await read(path)
  return { asyncapi: await read(asyncapiFile!), schemas }
}
