import { lstatSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import * as fsPromises from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { basename, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  PASSWORD_FILE,
  readPassword,
  type SecretFs,
  savePassword,
  writeInitdbPasswordFile,
} from '../../src/postgres/password.ts'
import { isToolError } from '../../src/util/tool-error.ts'

// As root (how these machines run) the folder and file go to another account, as they would to
// `postgres`; anyone else can only give them to themselves, which still shows the order of calls.
const account =
  userInfo().uid === 0 ? { uid: 65534, gid: 65534 } : { uid: userInfo().uid, gid: userInfo().gid }

describe('the password file initdb reads', () => {
  const made: string[] = []
  afterEach(() => {
    for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true })
  })

  /**
   * The real file-system calls, recorded; and, once the folder belongs to the account, that
   * account's move: it swaps the password file for a symlink to a file it must never own.
   */
  function recordingFs(victim: string) {
    const calls: string[] = []
    let folder = ''
    const afterFolderOwned = () => {
      const file = join(folder, 'password')
      rmSync(file, { force: true })
      symlinkSync(victim, file)
    }
    const changesOwner = (path: string, how: string) => {
      calls.push(`${how} ${path === folder ? 'folder' : basename(path)}`)
      if (path === folder) afterFolderOwned()
    }
    // chown too, so a path-following ownership change would be seen if one crept back in.
    const fs: SecretFs & { chown(path: string, uid: number, gid: number): Promise<void> } = {
      async mkdtemp(prefix: string) {
        folder = await fsPromises.mkdtemp(prefix)
        made.push(folder)
        return folder
      },
      async chown(path: string, uid: number, gid: number) {
        await fsPromises.chown(path, uid, gid)
        changesOwner(path, 'chown')
      },
      async lchown(path: string, uid: number, gid: number) {
        await fsPromises.lchown(path, uid, gid)
        changesOwner(path, 'lchown')
      },
      async open(path: string, flags: number, mode: number) {
        const handle = await fsPromises.open(path, flags, mode)
        const fchown = handle.chown.bind(handle)
        handle.chown = async (uid, gid) => {
          await fchown(uid, gid)
          calls.push(`fchown ${basename(path)}`)
        }
        return handle
      },
    }
    return { fs, calls }
  }

  it('gives the file to the server account before its folder, and never follows a symlink to do it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'kafka-ref-pwfile-'))
    made.push(parent)
    const victim = join(parent, 'not-for-the-server-account')
    writeFileSync(victim, 'secret\n', { mode: 0o600 })
    const { fs, calls } = recordingFs(victim)

    const file = await writeInitdbPasswordFile(join(parent, 'data'), 'p4ss', account, fs)

    // The file is the account's before anyone but us may change the folder's contents, and
    // ownership is never changed through a path a symlink could redirect...
    expect.soft(calls[0]).toMatch(/ password$/)
    expect.soft(calls.filter((call) => call.startsWith('chown '))).toEqual([])
    // ...so what the account swapped in afterwards was not given to it.
    expect(statSync(victim).uid).toBe(userInfo().uid)
    expect(lstatSync(file).isSymbolicLink()).toBe(true)
  })

  it('is readable by the server account only (mode 0600, its owner), in a folder it owns', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'kafka-ref-pwfile-'))
    made.push(parent)
    const file = await writeInitdbPasswordFile(join(parent, 'data'), 'p4ss', account)

    const stat = statSync(file)
    expect(stat.mode & 0o777).toBe(0o600)
    expect([stat.uid, stat.gid]).toEqual([account.uid, account.gid])
    expect(statSync(join(file, '..')).uid).toBe(account.uid)
    expect(await fsPromises.readFile(file, 'utf8')).toBe('p4ss\n')
  })

  it('is kept in the data folder with mode 0600, and never read through a symlink', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kafka-ref-pwfile-'))
    made.push(dataDir)
    await savePassword(dataDir, 'first', account)
    await savePassword(dataDir, 'second', account)
    expect(await readPassword(dataDir)).toBe('second')
    expect(statSync(join(dataDir, PASSWORD_FILE)).mode & 0o777).toBe(0o600)

    // As root the data folder is the server account's: it could point the name at any file.
    const elsewhere = join(dataDir, 'elsewhere')
    writeFileSync(elsewhere, 'not a password\n')
    rmSync(join(dataDir, PASSWORD_FILE))
    symlinkSync(elsewhere, join(dataDir, PASSWORD_FILE))
    const error = await readPassword(dataDir).catch((e: unknown) => e)
    expect(isToolError(error)).toBe(true)
  })
})
