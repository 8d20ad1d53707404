import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'

/** Generated or installed, never documentation of the repository. */
const SKIPPED_DIRS = new Set(['node_modules', '.cache', '.data', '.git', 'dist', 'reports', 'coverage'])

/** Every file under `root`, as paths relative to it, without the skipped folders. */
export function repositoryFiles(root: string): string[] {
  const files: string[] = []
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) visit(join(dir, entry.name))
      } else {
        files.push(relative(root, join(dir, entry.name)).split(sep).join('/'))
      }
    }
  }
  visit(root)
  return files.sort()
}

export interface Reference {
  /** What the document says, e.g. `src/app.ts` or `../tools/README.md`. */
  text: string
  kind: 'link' | 'path' | 'file name' | 'package'
}

const FILE_EXTENSION = /\.(ts|mjs|js|json|md|sh|yml|yaml|toml|txt|py|sql|xml|snap)$/
// Generated, per-machine or placeholders: never the name of a file in the repository.
const NOT_A_REPOSITORY_PATH =
  /^(\/|\.data|\.cache|reports\/|dist\/|node_modules|https?:|~)|[<>*{}$…]|\.\.\.|:/

/** Links, path-like code spans and `@kafka-ref/…` package specifiers of one Markdown document. */
export function referencesIn(markdown: string, topLevel: ReadonlySet<string>): Reference[] {
  const found: Reference[] = []
  for (const [, target] of markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^(https?:|mailto:|#)/.test(target!)) continue
    found.push({ text: decodeURIComponent(target!.replace(/#.*$/, '')), kind: 'link' })
  }
  for (const [specifier] of markdown.matchAll(/@kafka-ref\/[\w-]+(?:\/[\w-]+)*/g)) {
    found.push({ text: specifier, kind: 'package' })
  }
  for (const [, span] of markdown.matchAll(/`([^`\n]+)`/g)) {
    const text = span!.trim()
    if (/\s/.test(text) || text.startsWith('@') || NOT_A_REPOSITORY_PATH.test(text)) continue
    const firstSegment = text.split('/')[0]!
    if (
      text.includes('/') &&
      (FILE_EXTENSION.test(text) || text.endsWith('/') || topLevel.has(firstSegment))
    ) {
      found.push({ text, kind: 'path' })
    } else if (!text.includes('/') && FILE_EXTENSION.test(text) && /^[\w.-]+$/.test(text)) {
      found.push({ text, kind: 'file name' })
    }
  }
  return found
}

/** The folder of the package a document belongs to (the nearest one with a package.json). */
function packageDir(root: string, document: string): string {
  for (let dir = dirname(join(root, document)); dir.startsWith(root); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
  }
  return root
}

export interface Repository {
  root: string
  files: ReadonlySet<string>
  fileNames: ReadonlySet<string>
  /** Workspace package name → the subpaths its package.json exports ('.' included). */
  packages: ReadonlyMap<string, readonly string[]>
}

/**
 * Whether a reference names something that exists. A link resolves from the document's folder, as
 * Markdown does; a path in a code span may be written from the document's folder, its package (or
 * the package's src/ and test/), the repository root, or microservices/ (the root README's tables
 * say `user-service/src/...`); a bare file name must exist somewhere; a package specifier must be a
 * workspace package and, with a subpath, one it exports.
 */
export function resolves(repo: Repository, document: string, reference: Reference): boolean {
  const exists = (path: string) => existsSync(path)
  const here = dirname(join(repo.root, document))
  switch (reference.kind) {
    case 'link':
      return exists(join(here, reference.text))
    case 'file name':
      return repo.fileNames.has(reference.text)
    case 'package': {
      const [scope, name, ...sub] = reference.text.split('/')
      const exported = repo.packages.get(`${scope}/${name}`)
      return exported?.includes(sub.length > 0 ? `./${sub.join('/')}` : '.') ?? false
    }
    case 'path': {
      const pkg = packageDir(repo.root, document)
      const bases = [
        here,
        pkg,
        join(pkg, 'src'),
        join(pkg, 'test'),
        repo.root,
        join(repo.root, 'microservices'),
      ]
      return bases.some((base) => exists(join(base, reference.text)))
    }
  }
}

export function loadRepository(root: string): Repository {
  const files = repositoryFiles(root)
  const packages = new Map<string, string[]>()
  for (const file of files.filter((path) => path.endsWith('package.json'))) {
    const manifest = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
      name?: string
      exports?: Record<string, unknown>
    }
    if (manifest.name) packages.set(manifest.name, Object.keys(manifest.exports ?? { '.': '' }))
  }
  return {
    root,
    files: new Set(files),
    fileNames: new Set(files.map((file) => file.split('/').at(-1)!)),
    packages,
  }
}
