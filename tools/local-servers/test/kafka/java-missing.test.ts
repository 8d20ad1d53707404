import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startKafka } from '../../src/kafka/broker.ts'
import { javaNotFoundMessage, parseJavaMajor } from '../../src/kafka/requirements.ts'
import { repoRoot } from '../../src/util/repo-root.ts'

// A PATH with nothing on it: no java, no mvn.
const emptyPath = mkdtempSync(join(tmpdir(), 'kafka-ref-empty-path-'))
const repo = repoRoot()

describe('Kafka without Java', () => {
  const originalPath = process.env.PATH
  afterEach(() => {
    process.env.PATH = originalPath
  })
  afterAll(() => rmSync(emptyPath, { recursive: true, force: true }))

  it('startKafka rejects with a one-line install hint', async () => {
    process.env.PATH = emptyPath
    const error = await startKafka().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe(javaNotFoundMessage)
    expect((error as Error).message).toMatch(
      /^Kafka needs Java 17\+: 'java' was not found on PATH \(install OpenJDK 17/,
    )
    expect((error as Error).message).not.toContain('\n')
  })

  // A new Node process compiling the CLI's TypeScript through tsx: 1-2 s on a quiet machine, 21 s
  // seen at load 15 and over 30 s at load 17. spawnSync's timeout only stops a CLI that hangs
  // instead of exiting, so it is generous, and vitest's is longer still.
  it('the CLI prints only that message and exits 1', { timeout: 180_000 }, () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'tools/local-servers/src/cli/kafka-start.ts'],
      {
        cwd: repo,
        env: { ...process.env, PATH: emptyPath },
        encoding: 'utf8',
        timeout: 120_000,
      },
    )
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(javaNotFoundMessage)
  })

  it('reads the major version from java -version output', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17)
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8)
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21)
  })
})
