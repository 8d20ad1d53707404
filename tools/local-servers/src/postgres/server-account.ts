import { execFileSync, spawnSync } from 'node:child_process'
import { userInfo } from 'node:os'
import { ToolError } from '../util/tool-error.ts'

/** The system account a PostgreSQL server runs as when we are root. */
export interface ServerAccount {
  name: string
  uid: number
  gid: number
}

const ACCOUNT = 'postgres'

function lookUp(name: string): ServerAccount | undefined {
  const result = spawnSync('getent', ['passwd', name], { encoding: 'utf8' })
  if (result.status !== 0) return undefined
  const [, , uid, gid] = result.stdout.trim().split(':')
  return { name, uid: Number(uid), gid: Number(gid) }
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the system account `postgres`
 * (created if missing, as a system user with no login). Anyone else runs it as themselves:
 * undefined.
 */
export function serverAccount(): ServerAccount | undefined {
  if (userInfo().uid !== 0) return undefined
  const existing = lookUp(ACCOUNT)
  if (existing) return existing
  const groupExists = spawnSync('getent', ['group', ACCOUNT]).status === 0
  try {
    execFileSync(
      'useradd',
      [
        '--system',
        ...(groupExists ? ['--gid', ACCOUNT] : ['--user-group']),
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        ACCOUNT,
      ],
      { stdio: 'pipe' },
    )
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)
    throw new ToolError(
      `PostgreSQL cannot run as root and the system account '${ACCOUNT}' could not be created (${detail}); create it (useradd --system ${ACCOUNT}) or run as another user`,
    )
  }
  const created = lookUp(ACCOUNT)
  if (!created) throw new ToolError(`useradd succeeded but the account '${ACCOUNT}' cannot be found`)
  return created
}

/**
 * The first path `account` may not use as `test` checks it (`-x` on a folder: it can be entered,
 * which also needs every parent to be searchable), or undefined when it may use them all. Asked of
 * the kernel as that account, because permission bits alone miss ACLs, mount options and groups.
 */
export function firstDenied(
  account: ServerAccount,
  checks: Array<{ test: '-x' | '-r' | '-w'; path: string }>,
): string | undefined {
  return checks.find(
    ({ test, path }) =>
      spawnSync('test', [test, path], { uid: account.uid, gid: account.gid, stdio: 'ignore' }).status !== 0,
  )?.path
}
