import * as fsPromises from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ServerAccount } from './server-account.ts'

/** The file-system calls used here; a test passes its own to see their order. */
export type SecretFs = Pick<typeof fsPromises, 'mkdtemp' | 'writeFile' | 'chown'>

/**
 * Writes the superuser password for initdb into a private folder beside the data folder (a place
 * the server account can already reach) and gives both to that account. Returns the file's path;
 * the caller removes its folder.
 */
export async function writeInitdbPasswordFile(
  dataDir: string,
  password: string,
  account: Pick<ServerAccount, 'uid' | 'gid'> | undefined,
  fs: SecretFs = fsPromises,
): Promise<string> {
  const secrets = await fs.mkdtemp(join(dirname(dataDir), '.initdb-'))
  const passwordFile = join(secrets, 'password')
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
  if (account) {
    await fs.chown(secrets, account.uid, account.gid)
    await fs.chown(passwordFile, account.uid, account.gid)
  }
  return passwordFile
}
