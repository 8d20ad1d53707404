import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { useHarness, withClient } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { PASSWORD_FILE, WELL_KNOWN_PASSWORD } from '../../src/postgres/password.ts'
import { type LocalPostgres, startPostgres } from '../../src/postgres/server.ts'
import { serverAccount } from '../../src/postgres/server-account.ts'
import { isToolError } from '../../src/util/tool-error.ts'

const withPassword = (url: string, password: string) => {
  const other = new URL(url)
  other.password = password
  return other.toString()
}
const query = (url: string, text: string) =>
  withClient(url, async (client) => (await client.query(text)).rows)
/** The SQLSTATE a connection attempt fails with, or 'connected'. */
const connectAs = (url: string) =>
  query(url, 'select 1').then(
    () => 'connected',
    (error: { code?: string }) => error.code,
  )
const INVALID_PASSWORD = '28P01'

describe('the local PostgreSQL superuser password', () => {
  const harness = useHarness()

  /** A persistent data folder of this test's own, and a way to start a server on it. */
  function dataFolder() {
    const parent = mkdtempSync(join(tmpdir(), 'kafka-ref-password-'))
    const dataDir = join(parent, 'postgres')
    let running: LocalPostgres | undefined
    harness.defer(async () => {
      await running?.stop()
      // As root the data may live elsewhere (see placement.ts), behind a symlink in `parent`.
      if (running) rmSync(running.dataDir, { recursive: true, force: true })
      rmSync(parent, { recursive: true, force: true })
    })
    return {
      dataDir,
      async start(port?: number) {
        running = await startPostgres({ dataDir, port, persistent: true })
        return running
      },
    }
  }

  function expectPrivateFile(dataDir: string) {
    const stat = statSync(join(dataDir, PASSWORD_FILE))
    expect(stat.mode & 0o777).toBe(0o600)
    expect(stat.uid).toBe(serverAccount()?.uid ?? userInfo().uid)
  }

  it('is random per data folder, refuses the well-known one, and is kept for the next start', async () => {
    const folder = dataFolder()
    const postgres = await folder.start()

    expect(await connectAs(withPassword(postgres.url, WELL_KNOWN_PASSWORD))).toBe(INVALID_PASSWORD)
    expect(await connectAs(postgres.url)).toBe('connected')
    expectPrivateFile(postgres.dataDir)
    await query(postgres.url, 'create table kept (id int); insert into kept values (7)')

    await postgres.stop()
    const again = await folder.start(postgres.port)
    expect(again.url).toBe(postgres.url)
    expect(await query(again.url, 'select id from kept')).toEqual([{ id: 7 }])
  })

  it('replaces the well-known password of a data folder made before it was random, keeping the data', async () => {
    // What an older checkout left in .data/postgres: the well-known password and no password file.
    const folder = dataFolder()
    const first = await folder.start()
    await query(first.url, 'create table kept (id int); insert into kept values (7)')
    await query(first.url, `alter role current_user password '${WELL_KNOWN_PASSWORD}'`)
    await first.stop()
    rmSync(join(folder.dataDir, PASSWORD_FILE), { force: true })

    const postgres = await folder.start(first.port)

    expect(new URL(postgres.url).password).not.toBe(WELL_KNOWN_PASSWORD)
    expect(await connectAs(withPassword(postgres.url, WELL_KNOWN_PASSWORD))).toBe(INVALID_PASSWORD)
    expect(await query(postgres.url, 'select id from kept')).toEqual([{ id: 7 }])
    expectPrivateFile(postgres.dataDir)
  })

  it('an older data folder whose password is unknown fails the start with one line saying what to do', async () => {
    const folder = dataFolder()
    const first = await folder.start()
    await query(first.url, "alter role current_user password 'someone else chose this'")
    await first.stop()
    rmSync(join(folder.dataDir, PASSWORD_FILE), { force: true })

    const error = await folder.start(first.port).catch((e: unknown) => e)

    expect(isToolError(error)).toBe(true)
    const firstLine = (error as Error).message.split('\n')[0]!
    expect(firstLine).toContain(folder.dataDir)
    expect(firstLine).toContain(PASSWORD_FILE)
    expect(firstLine).not.toContain('someone else chose this')
  })
})
