import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, ToolError } from '@kafka-ref/local-servers'

export interface SchemathesisOptions {
  /** The service's base URL; its document is read from `<url>/openapi.json`. */
  url: string
  /** Fixed, so a failure replays; printed by schemathesis in its summary. */
  seed: number
  /** Generated test cases per operation and phase: what bounds the run's time. */
  maxExamples: number
  /** A run still going after this long is killed (and fails): a hung request, say. */
  timeoutMs: number
}

export interface SchemathesisResult {
  exitCode: number | null
  /** What schemathesis printed: per failure the operation, the check, the response and a curl line. */
  output: string
  /** How many test cases it generated and sent, from its JSON report. */
  testCases: number
  /** The operations it tested. */
  operations: number
}

const TOOL_DIR = join(repoRoot(), 'tools', 'testkit', 'schemathesis')
/** Where tools/setup.sh installs it (a Python virtual environment). */
export const SCHEMATHESIS_BIN = join(repoRoot(), '.cache', 'schemathesis', 'bin', 'st')

/**
 * Fuzzes a running service from its own OpenAPI document with schemathesis: every phase
 * (coverage: boundary and invalid values, wrong content types; fuzzing; stateful sequences along
 * the links it infers, e.g. the `Location` of a 201) and every check but those
 * tools/testkit/schemathesis/schemathesis.toml turns off (no undocumented status, content type, header or
 * body; no 5xx but a documented 503; valid data accepted, invalid rejected). Routes hidden from
 * the document are not called.
 */
export async function runSchemathesis(options: SchemathesisOptions): Promise<SchemathesisResult> {
  if (!existsSync(SCHEMATHESIS_BIN)) {
    throw new ToolError(
      `schemathesis is not installed at ${SCHEMATHESIS_BIN}: run \`source tools/setup.sh\` (it needs Python 3.10+ with venv)`,
    )
  }
  // Its reports and example database go to a scratch folder, not into the checkout.
  const workDir = await mkdtemp(join(tmpdir(), 'schemathesis-'))
  const reportPath = join(workDir, 'report.json')
  try {
    const args = [
      '--config-file',
      join(TOOL_DIR, 'schemathesis.toml'),
      'run',
      `${options.url}/openapi.json`,
      '--seed',
      String(options.seed),
      '--max-examples',
      String(options.maxExamples),
      // Every run starts from the seed alone, not from examples an earlier run stored.
      '--generation-database',
      'none',
      '--workers',
      '1',
      '--request-timeout',
      '15',
      '--no-color',
      '--report',
      'json',
      '--report-json-path',
      reportPath,
    ]
    const { exitCode, output } = await run(SCHEMATHESIS_BIN, args, {
      cwd: workDir,
      env: { ...process.env, SCHEMATHESIS_HOOKS: join(TOOL_DIR, 'hooks.py'), NO_COLOR: '1' },
      timeoutMs: options.timeoutMs,
    })
    if (exitCode === null)
      throw new Error(`schemathesis was killed after ${options.timeoutMs} ms:\n${output}`)
    const report = await readReport(reportPath)
    return {
      exitCode,
      output,
      testCases: report?.test_cases?.generated ?? 0,
      operations: report?.operations?.tested ?? 0,
    }
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

interface JsonReport {
  test_cases?: { generated?: number }
  operations?: { tested?: number }
}

async function readReport(path: string): Promise<JsonReport | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JsonReport
  } catch {
    // No report: the run failed before testing; its output says why.
    return undefined
  }
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (exitCode) => {
      clearTimeout(timer)
      resolve({ exitCode, output: Buffer.concat(chunks).toString('utf8') })
    })
  })
}
