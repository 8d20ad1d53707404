/**
 * Writes the JSON Schema files derived from the zod schemas. Run after changing a schema:
 *   pnpm --filter @kafka-ref/shared-contracts contracts:generate
 * The unit test `test/json-schema.test.ts` fails while the committed files are stale.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
// Relative import, so plain `tsx` works without the `source` export condition.
import { JSON_SCHEMA_DIR, jsonSchemas, serializeJsonSchema } from '../src/json-schema.ts'
import { listFiles, packageRoot } from './files.ts'

const root = join(packageRoot, JSON_SCHEMA_DIR)
const files = jsonSchemas()

// Delete files whose schema is gone, so the directory mirrors the code exactly.
for (const stale of (await listFiles(root, '.json')).filter((path) => !(path in files))) {
  await rm(join(root, stale))
  console.log(`removed ${JSON_SCHEMA_DIR}/${stale}`)
}
for (const [path, schema] of Object.entries(files)) {
  const target = join(root, path)
  await mkdir(dirname(target), { recursive: true })
  await writeFile(target, serializeJsonSchema(schema))
  console.log(`wrote ${JSON_SCHEMA_DIR}/${path}`)
}
