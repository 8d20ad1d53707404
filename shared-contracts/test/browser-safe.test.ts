import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listFiles, packageRoot } from '../scripts/files.ts'

/**
 * src is bundled for the browser, so it may use only web-standard globals (TextEncoder, crypto,
 * ...). tsconfig.src.json has no Node types, which catches most of this at compile time; this test
 * also catches what a type assertion or a stray `any` would hide.
 */
const NODE_ONLY = [
  /from\s+['"]node:/,
  /import\(\s*['"]node:/,
  /from\s+['"](fs|path|os|crypto|buffer|url|util|events|stream|child_process)(\/[^'"]*)?['"]/,
  /\brequire\(/,
  /\bprocess\./,
  /\bBuffer\b/,
  /\b__dirname\b|\b__filename\b/,
]

describe('src', () => {
  it('uses no Node-only API', async () => {
    const src = join(packageRoot, 'src')
    const files = await listFiles(src, '.ts')
    expect(files.length).toBeGreaterThan(0)
    const offences: string[] = []
    for (const file of files) {
      const text = await readFile(join(src, file), 'utf8')
      for (const pattern of NODE_ONLY) if (pattern.test(text)) offences.push(`${file}: ${pattern}`)
    }
    expect(offences).toEqual([])
  })
})
