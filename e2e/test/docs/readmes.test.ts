import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { describe, expect, it } from 'vitest'
import { loadRepository, referencesIn, resolves } from './references.ts'

const repo = loadRepository(repoRoot())
const documents = [...repo.files].filter((file) => file.endsWith('.md'))
const read = (file: string) => readFileSync(join(repo.root, file), 'utf8')

/** The names in backticks at the start of a Markdown table's rows (its first column). */
function firstColumn(markdown: string): string[] {
  return [...markdown.matchAll(/^\|\s*(.+?)\s*\|/gm)].map(([, cell]) => cell!)
}

describe('the documentation matches the repository', () => {
  it('finds the READMEs', () => {
    expect(documents).toContain('README.md')
    expect(documents).toContain('e2e/README.md')
  })

  it('names only paths, files and packages that exist', () => {
    const topLevel = new Set([...repo.files].map((file) => file.split('/')[0]!))
    const missing = documents.flatMap((document) =>
      referencesIn(read(document), topLevel)
        .filter((reference) => !resolves(repo, document, reference))
        .map((reference) => `${document}: ${reference.kind} ${reference.text}`),
    )
    expect([...new Set(missing)]).toEqual([])
  })

  it('lists every end-to-end test file in the e2e README, and no other', () => {
    const tests = [...repo.files]
      .filter((file) => file.startsWith('e2e/test/') && file.endsWith('.int.test.ts'))
      .map((file) => file.split('/').at(-1)!.replace('.int.test.ts', ''))
    const listed = firstColumn(read('e2e/README.md'))
      .map((cell) => /^`([\w-]+)`$/.exec(cell)?.[1])
      .filter((name) => name !== undefined)
    expect(new Set(listed)).toEqual(new Set(tests))
  })

  // Imports service-kit whole, each module compiled on the fly: 1.6 s seen in CI, several under
  // load, so vitest's 5 s default would race the machine.
  it("names every value service-kit's index exports in its README's export table", {
    timeout: 60_000,
  }, async () => {
    const exported = Object.keys(await import('@kafka-ref/service-kit'))
    const table = firstColumn(read('microservices/service-kit/README.md')).join(' ')
    const documented = new Set([...table.matchAll(/`([A-Za-z_$][\w$]*)/g)].map(([, name]) => name))
    expect(exported.filter((name) => !documented.has(name)).sort()).toEqual([])
  })
})
