import { createHash } from 'node:crypto'
import { existsSync, lstatSync, statSync } from 'node:fs'
import { chmod, cp, lchown, mkdir, readdir, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ToolError } from '../util/tool-error.ts'
import type { PostgresBinaries } from './binaries.ts'
import { firstDenied, type ServerAccount } from './server-account.ts'

/**
 * Where root places what the server account must reach when the checkout is private (a clone under
 * /root or in a `mktemp -d` folder is mode 0700: the `postgres` account cannot even enter it).
 * Standard locations for a cache and for state, owned by root, readable by everyone.
 */
export const SHARED_BINARIES_DIR = '/var/cache/kafka-ref'
export const SHARED_DATA_DIR = '/var/lib/kafka-ref/postgres'
const MARKER = '.kafka-ref-complete'

/** The first of the server's files `account` cannot use, if any. */
const unusable = (account: ServerAccount, binaries: PostgresBinaries) =>
  firstDenied(
    account,
    ['bin/postgres', 'bin/initdb', 'lib', 'share/postgresql'].map((path) => ({
      test: '-x' as const,
      path: join(binaries.root, path),
    })),
  )

/** A folder root owns and nobody else may write: what the server runs from must not be swappable. */
async function rootOwnedFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o755 })
  const { uid, mode } = statSync(path)
  if (uid !== 0 || (mode & 0o022) !== 0) {
    throw new ToolError(
      `${path} must be owned by root and writable only by root (it holds PostgreSQL's binaries or data); fix it with: chown root ${path} && chmod 755 ${path}`,
    )
  }
}

/** Everyone may read every file and enter every folder; executables stay executable. */
async function makeReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isSymbolicLink()) continue
    if (entry.isDirectory()) await makeReadable(path)
    else await chmod(path, statSync(path).mode & 0o100 ? 0o755 : 0o644)
  }
}

/**
 * The binaries the server account can run: the packaged ones when it can reach them, else a copy
 * made once (per package version) under SHARED_BINARIES_DIR. The copy is assembled in a private
 * folder and renamed into place with its marker inside, so concurrent starts never see half of it.
 */
export async function placeBinaries(
  source: PostgresBinaries,
  account: ServerAccount | undefined,
): Promise<PostgresBinaries> {
  if (!account || !unusable(account, source)) return source
  const placed = { root: join(SHARED_BINARIES_DIR, `postgres-${source.version}`), version: source.version }
  if (!existsSync(join(placed.root, MARKER))) {
    await rootOwnedFolder(SHARED_BINARIES_DIR)
    const staging = `${placed.root}.tmp-${process.pid}-${Date.now()}`
    try {
      // verbatimSymlinks keeps the libraries' relative links (libpq.so → libpq.so.5.18) relative.
      await cp(source.root, staging, { recursive: true, verbatimSymlinks: true })
      await makeReadable(staging)
      await writeFile(join(staging, MARKER), `${JSON.stringify({ from: source.root })}\n`)
      await rename(staging, placed.root).catch(async (error: unknown) => {
        // Another process placed them first; theirs are as good as ours.
        if (!existsSync(join(placed.root, MARKER))) throw error
      })
    } finally {
      await rm(staging, { recursive: true, force: true })
    }
  }
  const denied = unusable(account, placed)
  if (denied) {
    throw new ToolError(
      `PostgreSQL cannot start: the account '${account.name}' cannot run ${denied} (its file mode, or a folder on its path that others cannot search)`,
    )
  }
  return placed
}

/**
 * The real data folder for `requested`, owned by the server account. When that account cannot reach
 * `requested` (a private checkout's `.data/postgres`), the data lives under SHARED_DATA_DIR instead
 * and `requested` becomes a symlink to it, so the data is still found there, and kept, next run.
 */
export async function placeDataDir(requested: string, account: ServerAccount | undefined): Promise<string> {
  if (!account) {
    await mkdir(requested, { recursive: true, mode: 0o700 })
    return requested
  }
  let real = existsSync(requested) ? await realpath(requested) : requested
  await mkdir(dirname(real), { recursive: true })
  if (firstDenied(account, [{ test: '-x', path: dirname(real) }])) {
    if (
      existsSync(requested) &&
      !lstatSync(requested).isSymbolicLink() &&
      (await readdir(requested)).length
    ) {
      throw new ToolError(
        `PostgreSQL's data folder ${requested} is not reachable by the account '${account.name}' (a parent folder is private) and is not empty; move it away (or delete it) and start again`,
      )
    }
    await rootOwnedFolder(SHARED_DATA_DIR)
    const digest = createHash('sha256').update(requested).digest('hex').slice(0, 12)
    real = join(SHARED_DATA_DIR, `${basename(requested)}-${digest}`)
    await rm(requested, { recursive: true, force: true })
    await symlink(real, requested)
  }
  await mkdir(real, { recursive: true, mode: 0o700 })
  // lchown: were `real` swapped for a symlink meanwhile, the link is all that changes hands.
  await lchown(real, account.uid, account.gid)
  return real
}
