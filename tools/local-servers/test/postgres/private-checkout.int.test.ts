import { chmodSync, cpSync, lstatSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Harness, useHarness, withClient } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { packagedBinaries } from '../../src/postgres/binaries.ts'
import { SHARED_BINARIES_DIR } from '../../src/postgres/placement.ts'
import { type LocalPostgres, startPostgres } from '../../src/postgres/server.ts'
import { isToolError } from '../../src/util/tool-error.ts'

const query = (url: string, text: string) =>
  withClient(url, async (client) => (await client.query(text)).rows)

/**
 * A checkout the server account cannot enter: `mktemp -d` (mode 0700) as root, with the binaries
 * where pnpm puts them (inside the checkout) and `.data/postgres` inside it too. This is how
 * `git clone` into a private folder (or under /root) used to crash the whole test run.
 */
function privateCheckout(harness: Harness, version: string) {
  const folder = mkdtempSync(join(tmpdir(), 'kafka-ref-private-'))
  // Removed after the test, with the copy of the binaries startPostgres placed for this version.
  harness.defer(() => {
    rmSync(join(SHARED_BINARIES_DIR, `postgres-${version}`), { recursive: true, force: true })
    rmSync(folder, { recursive: true, force: true })
  })
  expect(lstatSync(folder).mode & 0o777).toBe(0o700)
  const root = join(folder, 'node_modules', 'native')
  cpSync(packagedBinaries().root, root, { recursive: true, verbatimSymlinks: true })
  return { folder, binaries: { root, version }, dataDir: join(folder, '.data', 'postgres') }
}

describe('local PostgreSQL from a private checkout', () => {
  const harness = useHarness()

  it('starts, and keeps its data across a restart, when its binaries and data folder sit in a 0700 folder', async () => {
    // A version of our own, so this test places (and removes) its own copy of the binaries.
    const checkout = privateCheckout(harness, `private-test-${process.pid}-${Date.now()}`)
    let postgres: LocalPostgres | undefined
    harness.defer(async () => {
      await postgres?.stop()
      if (postgres) rmSync(postgres.dataDir, { recursive: true, force: true })
    })

    postgres = await startPostgres({ binaries: checkout.binaries, dataDir: checkout.dataDir })
    await query(postgres.url, 'create table kept (id int); insert into kept values (42)')
    await postgres.stop()

    postgres = await startPostgres({
      binaries: checkout.binaries,
      dataDir: checkout.dataDir,
      port: postgres.port,
    })
    expect(await query(postgres.url, 'select id from kept')).toEqual([{ id: 42 }])
    // The data is found through the requested path next time, wherever it had to live.
    expect(lstatSync(checkout.dataDir).isDirectory() || lstatSync(checkout.dataDir).isSymbolicLink()).toBe(
      true,
    )
  })

  it('a server that cannot be run fails the start with one clear line, not a crash', async () => {
    const checkout = privateCheckout(harness, `broken-test-${process.pid}-${Date.now()}`)
    chmodSync(join(checkout.binaries.root, 'bin', 'initdb'), 0o644)

    const error = await startPostgres({ binaries: checkout.binaries, dataDir: checkout.dataDir }).catch(
      (e: unknown) => e,
    )
    expect(isToolError(error)).toBe(true)
    const firstLine = (error as Error).message.split('\n')[0]!
    expect(firstLine).toMatch(/^PostgreSQL .*(cannot run|failed).*initdb/)
  })
})
