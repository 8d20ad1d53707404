import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import * as fsPromises from 'node:fs/promises'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { ToolError } from '../util/tool-error.ts'
import type { ServerAccount } from './server-account.ts'

/** The superuser's password, kept in the data folder it belongs to (mode 0600). */
export const PASSWORD_FILE = 'kafka-ref-password'
/** What every data folder made before PASSWORD_FILE existed was given: anyone could guess it. */
export const WELL_KNOWN_PASSWORD = 'password'

/** 192 random bits, URL-safe as they are (base64url), so the URL needs no escaping. */
export const newPassword = () => randomBytes(24).toString('base64url')

/** The file-system calls used here; a test passes its own to see their order. */
export interface SecretFs {
  mkdtemp(prefix: string): Promise<string>
  open(path: string, flags: number, mode: number): Promise<fsPromises.FileHandle>
  lchown(path: string, uid: number, gid: number): Promise<void>
}

type Owner = Pick<ServerAccount, 'uid' | 'gid'>

/**
 * Creates `path` (mode 0600) holding `text`, owned by `owner` when given. O_EXCL never follows a
 * symlink, and the owner is set on the open file (fchown), so no name swapped in meanwhile can
 * redirect either.
 */
export async function writeSecretFile(
  path: string,
  text: string,
  owner: Owner | undefined,
  fs: Pick<SecretFs, 'open'> = fsPromises,
): Promise<void> {
  const handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  try {
    if (owner) await handle.chown(owner.uid, owner.gid)
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes the superuser password for initdb into a private folder beside the data folder (a place
 * the server account can already reach) and gives both to that account: the file first, because
 * once the folder is the account's, the account could put a symlink where the file is. Returns the
 * file's path; the caller removes its folder.
 */
export async function writeInitdbPasswordFile(
  dataDir: string,
  password: string,
  account: Owner | undefined,
  fs: SecretFs = fsPromises,
): Promise<string> {
  const secrets = await fs.mkdtemp(join(dirname(dataDir), '.initdb-'))
  const passwordFile = join(secrets, 'password')
  await writeSecretFile(passwordFile, `${password}\n`, account, fs)
  if (account) await fs.lchown(secrets, account.uid, account.gid)
  return passwordFile
}

/**
 * The password kept in `dataDir`, or undefined when the folder has none (it was made before the
 * password was random). Never read through a symlink: as root, the data folder belongs to the
 * server account, which could point the name at any file.
 */
export async function readPassword(dataDir: string): Promise<string | undefined> {
  const path = join(dataDir, PASSWORD_FILE)
  let handle: fsPromises.FileHandle
  try {
    handle = await fsPromises.open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ToolError(`Cannot read PostgreSQL's password file ${path}: ${(error as Error).message}`)
  }
  try {
    const password = (await handle.readFile('utf8')).trim()
    if (!password) throw new ToolError(`PostgreSQL's password file ${path} is empty`)
    return password
  } finally {
    await handle.close()
  }
}

/** Keeps `password` in `dataDir`, replacing the file whole (written aside, then renamed). */
export async function savePassword(dataDir: string, password: string, owner: Owner | undefined) {
  const path = join(dataDir, PASSWORD_FILE)
  const staged = `${path}.${process.pid}-${Date.now()}`
  try {
    await writeSecretFile(staged, `${password}\n`, owner)
    await fsPromises.rename(staged, path)
  } finally {
    await fsPromises.rm(staged, { force: true })
  }
}

/**
 * Gives a data folder made before the password was random (its superuser still has
 * WELL_KNOWN_PASSWORD, reached through `wellKnownUrl`) a random one, kept in the folder like a new
 * folder's. The role changes in a transaction committed only once the file is saved.
 */
export async function replaceWellKnownPassword(
  wellKnownUrl: string,
  dataDir: string,
  owner: Owner | undefined,
): Promise<string> {
  const password = newPassword()
  const client = new pg.Client({ connectionString: wellKnownUrl })
  await client.connect()
  try {
    await client.query('begin')
    // A failing statement is logged with its text by default; this one holds the password.
    await client.query("set local log_min_error_statement = 'panic'")
    await client.query(`alter role current_user password ${client.escapeLiteral(password)}`)
    await savePassword(dataDir, password, owner)
    await client.query('commit')
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  } finally {
    await client.end()
  }
  return password
}
