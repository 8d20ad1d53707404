import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Absolute path of the package root, wherever the caller runs from. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Files under `dir` (recursively) whose name ends with `suffix`, as `/`-separated relative paths. */
export async function listFiles(dir: string, suffix = ''): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort()
}

/** This package's version (the AsyncAPI document's `info.version`). */
export async function packageVersion(): Promise<string> {
  const { version } = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as {
    version: string
  }
  return version
}
