/**
 * Writes the files derived from the zod schemas: the JSON Schema files and the AsyncAPI document.
 * Run after changing a schema:
 *   pnpm --filter @kafka-ref/shared-contracts contracts:generate
 * The unit tests `test/json-schema.test.ts` and `test/asyncapi.test.ts` fail while the committed
 * files are stale.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
// Relative imports, so plain `tsx` works without the `source` export condition.
import { ASYNCAPI_FILE, asyncApiDocument } from '../src/asyncapi.ts'
import { JSON_SCHEMA_DIR, jsonSchemas, serializeJsonSchema } from '../src/json-schema.ts'
import { listFiles, packageRoot, packageVersion } from './files.ts'

async function write(path: string, content: object) {
  const target = join(packageRoot, path)
  await mkdir(dirname(target), { recursive: true })
  await writeFile(target, serializeJsonSchema(content))
  console.log(`wrote ${path}`)
}

const root = join(packageRoot, JSON_SCHEMA_DIR)
const files = jsonSchemas()

// Delete files whose schema is gone, so the directory mirrors the code exactly.
for (const stale of (await listFiles(root, '.json')).filter((path) => !(path in files))) {
  await rm(join(root, stale))
  console.log(`removed ${JSON_SCHEMA_DIR}/${stale}`)
}
for (const [path, schema] of Object.entries(files)) await write(`${JSON_SCHEMA_DIR}/${path}`, schema)

await write(ASYNCAPI_FILE, asyncApiDocument(await packageVersion()))
