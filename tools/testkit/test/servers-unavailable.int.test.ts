import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { afterAll, describe, expect, inject, it } from 'vitest'

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe('a test server that cannot start', () => {
  const reports = mkdtempSync(join(tmpdir(), 'kafka-ref-nested-vitest-'))
  afterAll(() => rmSync(reports, { recursive: true, force: true }))

  it('fails every integration test with one line saying why, and the run fails without crashing', async () => {
    // A run of its own, as CI would start it, where PostgreSQL is "given" but answers nothing.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')))
    const report = join(reports, 'report.json')
    const { code, output } = await run(
      process.execPath,
      [
        join(repoRoot(), 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--project',
        'integration',
        'tools/local-servers/test/postgres/postgres-smoke.int.test.ts',
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      {
        ...env,
        CI: '',
        KAFKA_BROKERS: inject('kafkaBrokers'),
        DATABASE_URL: 'postgres://postgres:s3cret-for-test@127.0.0.1:1/postgres',
      },
    )

    expect(code).not.toBe(0)
    expect(output).toMatch(/\[test-servers\] DATABASE_URL \(127\.0\.0\.1:1\) does not answer: .*ECONNREFUSED/)
    expect(output).not.toContain('s3cret-for-test')
    expect(output).not.toMatch(/Unhandled|uncaught/i)
    const result = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number
      testResults: Array<{ status: string; message: string }>
    }
    expect(result.numPassedTests).toBe(0)
    expect(result.testResults).toHaveLength(1)
    expect(result.testResults[0]!.status).toBe('failed')
    expect(result.testResults[0]!.message).toContain('The test servers could not be started: DATABASE_URL')
  })
})
