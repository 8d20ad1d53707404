import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, freePorts, repoRoot, waitForExit } from '@kafka-ref/local-servers'
import { getProfile, register, useHarness, userRequests, waitFor } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

/** Every process below `root` (children, their children...), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // The parent pid is the 4th field, after the command name in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = []
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? []
    found.push(...next)
    queue.push(...next)
  }
  return found
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer().once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

/**
 * A free port whose `count - 1` successors are free too: a local broker's controller listens on
 * port + 1, and node i of a cluster on port + 2(i-1) and the one after it. None of the run may be
 * one of the ports in `taken`: they were free when chosen, but are promised to the services (a run
 * over one of them made a service's listen fail with EADDRINUSE once).
 */
async function freePortRun(count: number, taken: readonly number[]): Promise<number> {
  for (;;) {
    const port = await freePort()
    let free = !taken.some((used) => used >= port && used < port + count)
    for (let next = port + 1; free && next < port + count; next++) free = await isFree(next)
    if (free) return port
  }
}

/** A line at warn or above: pino JSON with level >= 40, or any other line that says WARN or ERROR. */
function isWarningOrWorse(line: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the runner colours its labels with escape codes
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '')
  const text = plain.replace(/^\[[\w#-]+\] /, '')
  if (text.startsWith('{')) {
    try {
      return Number((JSON.parse(text) as { level?: unknown }).level) >= 40
    } catch {
      // not JSON after all: judged as text
    }
  }
  return /\b(warn|warning|error|fatal)\b/i.test(text)
}

// `pnpm dev` as a person runs it in a terminal, on free ports and a temp data folder: Ctrl-C sends
// SIGINT to the terminal's whole foreground process group, not to one process.
describe('pnpm dev, stopped with Ctrl-C', () => {
  const harness = useHarness()

  // With --instances the ports are HAProxy's, in front of two instances of each service; with
  // --brokers 3 Kafka is a local three-node cluster (the README's curl flow below runs on it too).
  it.each([
    { args: [], what: 'one instance of each service', kafkaPorts: 2 },
    { args: ['--instances', '2'], what: 'two instances of each behind HAProxy', kafkaPorts: 2 },
    { args: ['--brokers', '3'], what: 'on a three-broker cluster', kafkaPorts: 6 },
  ])(
    'stops the services first, then PostgreSQL and Kafka: a clean exit, no warning, nothing left running ($what)',
    {
      timeout: 300_000,
    },
    async ({ args, kafkaPorts }) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'kafka-ref-dev-'))
      harness.defer(() => rmSync(dataDir, { recursive: true, force: true }))
      const [postgresPort, userPort, profilePort, frontendPort] = await freePorts(4)
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DEV_DATA_DIR: dataDir,
        KAFKA_PORT: String(
          await freePortRun(kafkaPorts, [postgresPort!, userPort!, profilePort!, frontendPort!]),
        ),
        POSTGRES_PORT: String(postgresPort),
        USER_SERVICE_PORT: String(userPort),
        PROFILE_SERVICE_PORT: String(profilePort),
        FRONTEND_PORT: String(frontendPort),
        // JSON lines: each one's level can be read exactly.
        DEV_RAW_LOGS: '1',
      }
      for (const name of [
        'KAFKA_BROKERS',
        'USER_DATABASE_URL',
        'PROFILE_DATABASE_URL',
        'LOG_LEVEL',
        'CORS_ORIGINS',
      ]) {
        delete env[name]
      }
      // Its own process group (as a terminal gives a foreground job), so the group can be signalled.
      const dev: ChildProcess = spawn('pnpm', ['--silent', 'dev', ...args], {
        cwd: repoRoot(),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      const lines: string[] = []
      for (const stream of [dev.stdout!, dev.stderr!])
        createInterface({ input: stream }).on('line', (l) => lines.push(l))
      // 'exit' can come before the last lines are read from the pipes; 'close' comes after them.
      const outputRead = new Promise<boolean>((resolve) => dev.once('close', () => resolve(true)))
      let tree: number[] = []
      harness.defer(() => {
        // A failed run must not leave a broker, a server or services behind.
        for (const pid of [dev.pid!, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL')
      })
      harness.onFailure(() => `--- pnpm dev output ---\n${lines.join('\n')}`)

      await waitFor(() => lines.some((line) => line.startsWith('[dev] ready in')) || dev.exitCode !== null, {
        timeoutMs: 240_000,
        description: 'pnpm dev ready',
      })
      expect(dev.exitCode, 'pnpm dev exited during start-up').toBeNull()
      // The banner's bootstrap list: every node of the local Kafka.
      const kafkaLine = lines.find((line) => /^\s+Kafka\s+127\.0\.0\.1:/.test(line))
      expect(kafkaLine?.trim().split(/\s+/)[1]?.split(',')).toHaveLength(kafkaPorts / 2)
      // The system works before it is stopped: the relay and the consumer have had work to do.
      const registered = await register(`http://127.0.0.1:${userPort}`, userRequests(1)[0]!)
      expect(registered.status).toBe(201)
      expect((await getProfile(`http://127.0.0.1:${profilePort}`, registered.body.id, 10_000)).status).toBe(
        200,
      )
      tree = descendants(dev.pid!)
      const readyLines = lines.length

      process.kill(-dev.pid!, 'SIGINT')
      expect(await waitForExit(dev, 120_000), 'pnpm dev still running 120 s after Ctrl-C').toBe(true)
      // A process left running would hold the pipes open: checked below, so no waiting for it here.
      await Promise.race([outputRead, sleep(10_000)])
      // pnpm waits for the runner, then ends as interrupted (killed by SIGINT), as a shell expects of
      // Ctrl-C; the runner says it stopped everything only when every stop succeeded.
      expect({ code: dev.exitCode, signal: dev.signalCode }).toEqual({ code: null, signal: 'SIGINT' })
      expect(lines.slice(readyLines).filter(isWarningOrWorse)).toEqual([])
      expect(lines.at(-1)).toBe('[dev] stopped')
      await waitFor(() => tree.every((pid) => !alive(pid)), {
        timeoutMs: 10_000,
        description: 'every process pnpm dev started is gone',
      }).catch(() => undefined)
      expect(tree.filter(alive), 'processes left running').toEqual([])
    },
  )
})
