import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { z } from 'zod'
import { ENV_SECTION, envTable, writeSection } from './env-table.ts'

// Usage (from a service folder): tsx --conditions=source ../service-kit/src/docs/write-env-docs.ts
//   src/config.ts README.md — writes the env schema's table between the README's env markers.
const [configModule, readme] = process.argv.slice(2)
if (!configModule || !readme) {
  console.error('usage: write-env-docs <config module exporting envSchema> <README.md>')
  process.exit(2)
}
const { envSchema } = (await import(pathToFileURL(resolve(configModule)).href)) as { envSchema: z.ZodObject }
const text = await readFile(readme, 'utf8')
await writeFile(readme, writeSection(text, ENV_SECTION, envTable(envSchema)))
console.log(`${readme}: configuration table written from ${configModule}`)
