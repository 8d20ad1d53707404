import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'

/** profile-service's dead-letter re-drive command (`pnpm dlq`). */
const MAIN = join(repoRoot(), 'microservices', 'profile-service', 'src', 'cli', 'dlq', 'main.ts')

export interface DlqRun {
  child: ChildProcess
  stdout: string[]
  stderr: string[]
  /** Resolves when the process has exited, with how. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Starts `pnpm dlq` as operators run it, as its own process: node itself with the tsx loader (not
 * `tsx`, which runs the command in a child process of its own, so a SIGKILL would miss it).
 */
export function startDlq(args: string[], env: Record<string, string>): DlqRun {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const run: DlqRun = {
    child,
    stdout: [],
    stderr: [],
    exited: once(child, 'exit').then(([code, signal]) => ({ code, signal })),
  }
  const lines = (into: string[]) => (chunk: Buffer) =>
    into.push(...chunk.toString().split('\n').filter(Boolean))
  child.stdout!.on('data', lines(run.stdout))
  child.stderr!.on('data', lines(run.stderr))
  return run
}

/** Runs `pnpm dlq` to its end. */
export async function runDlq(args: string[], env: Record<string, string>) {
  const run = startDlq(args, env)
  const { code } = await run.exited
  return { code, stdout: run.stdout, stderr: run.stderr }
}
