import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../src/util/repo-root.ts'

/** Every `pnpm <script>` of the repository that runs one of our CLIs: `tsx --conditions=source <file>`. */
const scripts = Object.entries(
  (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
).flatMap(([name, command]) => {
  const file = /^tsx --conditions=source (\S+\.ts)$/.exec(command)?.[1]
  return file ? [{ command: `pnpm ${name}`, file }] : []
})

/**
 * Runs a CLI as `pnpm <script>` does, without pnpm's own lines. Should a CLI ignore what it is
 * given, these ports stop it before it starts any server (9092, 5432 and 5173 stay untouched).
 */
async function run(file: string, args: string[]) {
  const node = ['--conditions=source', '--import', 'tsx', file, ...args]
  const result = await promisify(execFile)(process.execPath, node, {
    cwd: repoRoot(),
    timeout: 60_000,
    env: {
      ...process.env,
      KAFKA_PORT: 'not-a-port',
      POSTGRES_PORT: 'not-a-port',
      FRONTEND_PORT: 'not-a-port',
      KAFKA_BROKERS: '',
      FAULT_SEED: '',
    },
  }).then(
    (done) => ({ ...done, code: 0 }),
    // A non-zero exit: the error carries the code and both outputs.
    (failed: { code: number; stdout: string; stderr: string }) => failed,
  )
  return { status: result.code, stdout: result.stdout, stderrLines: result.stderr.trimEnd().split('\n') }
}

describe('the CLIs refuse what they do not understand', () => {
  it('finds the CLIs', () => {
    expect(scripts.map((script) => script.command)).toEqual(
      expect.arrayContaining(['pnpm dev', 'pnpm postgres:start', 'pnpm kafka:start', 'pnpm bench']),
    )
  })

  it.each(scripts)(
    '$command --no-such-flag: exit 2, one line naming it and the valid options',
    async ({ command, file }) => {
      const { status, stderrLines } = await run(file, ['--no-such-flag'])
      expect(stderrLines).toHaveLength(1)
      expect(stderrLines[0]).toMatch(
        new RegExp(`^${command}: unknown option '--no-such-flag'; valid options: .*--help$`),
      )
      expect(status).toBe(2)
    },
    60_000,
  )

  it('pnpm dev --replicas 3 (an option it does not have) is refused', async () => {
    const { status, stderrLines } = await run('tools/system/src/cli/dev.ts', ['--replicas', '3'])
    expect(stderrLines).toEqual([
      "pnpm dev: unknown option '--replicas'; valid options: --partitions <value>, --instances <value>, --brokers <value>, --help",
    ])
    expect(status).toBe(2)
  }, 60_000)

  it('pnpm dev 3 (an argument it does not take) is refused', async () => {
    const { status, stderrLines } = await run('tools/system/src/cli/dev.ts', ['3'])
    expect(stderrLines).toEqual([
      "pnpm dev: unexpected argument '3'; valid options: --partitions <value>, --instances <value>, --brokers <value>, --help",
    ])
    expect(status).toBe(2)
  }, 60_000)

  it('pnpm dev --partitions 0: a known option, its bad value named in one line', async () => {
    const { status, stderrLines } = await run('tools/system/src/cli/dev.ts', ['--partitions', '0'])
    expect(stderrLines).toHaveLength(1)
    expect(stderrLines[0]).toMatch(/^pnpm dev: invalid partition count '0' \(from --partitions\)/)
    expect(status).toBe(2)
  }, 60_000)

  it("pnpm dev -- --partitions 0: npm's `--` before the options changes nothing", async () => {
    const { status, stderrLines } = await run('tools/system/src/cli/dev.ts', ['--', '--partitions', '0'])
    expect(stderrLines[0]).toMatch(/^pnpm dev: invalid partition count '0' \(from --partitions\)/)
    expect(status).toBe(2)
  }, 60_000)

  it('pnpm dev --help lists its options and exits 0', async () => {
    const { status, stdout, stderrLines } = await run('tools/system/src/cli/dev.ts', ['--help'])
    expect(stdout).toMatch(
      /^Usage: pnpm dev \[--partitions <value>\] \[--instances <value>\] \[--brokers <value>\] \[--help\]\n/,
    )
    expect(stderrLines).toEqual([''])
    expect(status).toBe(0)
  }, 60_000)
})
