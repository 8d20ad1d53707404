import { execFile, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { promisify } from 'node:util'
import { ToolError } from '@kafka-ref/local-servers'

const execFileAsync = promisify(execFile)

export type EngineName = 'docker' | 'podman'

/** The container engine `pnpm test:images` chose (tools/images/setup-engine.sh), and how to drive it. */
export interface Engine {
  name: EngineName
  /** Flags of `build` beyond the common ones. */
  buildFlags: string[]
  /** Flags of every `run`. */
  runFlags: string[]
  /** Flags of `run` for a container whose port is published on 127.0.0.1 (not the host network). */
  publishNetwork: string[]
}

const ENGINES: Record<EngineName, Engine> = {
  // BuildKit, the official base images from the registry, the default bridge network.
  docker: { name: 'docker', buildFlags: [], runFlags: [], publishNetwork: [] },
  // Builds reach the registries through the host's network; `chroot` isolation needs no user
  // namespaces. A published port goes through slirp4netns (user-mode networking): no bridge, no
  // iptables, and the host sees only 127.0.0.1. `docker` format keeps HEALTHCHECK in the image;
  // podman runs it through systemd timers, which are not there: no HEALTHCHECK at run time.
  podman: {
    name: 'podman',
    buildFlags: ['--format', 'docker', '--network', 'host', '--isolation', 'chroot'],
    runFlags: ['--no-healthcheck'],
    publishNetwork: ['--network', 'slirp4netns'],
  },
}

/** The engine named by IMAGES_ENGINE, which tools/images/test.sh sets after setting it up. */
export function engineFromEnv(env = process.env): Engine {
  const name = env.IMAGES_ENGINE
  if (name === 'docker' || name === 'podman') return ENGINES[name]
  throw new ToolError(
    'IMAGES_ENGINE is not set: run the image test with `pnpm test:images`, which sets up a container engine first',
  )
}

/**
 * Runs one engine command and returns its stdout (with `stderr: true`, its stderr after it: `logs`
 * replays a container's stderr there); a failure names the command and shows its stderr.
 */
export async function engineCommand(
  engine: Engine,
  args: string[],
  { timeoutMs = 120_000, stderr: withStderr = false }: { timeoutMs?: number; stderr?: boolean } = {},
): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(engine.name, args, {
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    })
    return withStderr ? `${stdout}${stderr}` : stdout
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string }
    throw new Error(`${engine.name} ${args.join(' ')} failed: ${stderr?.trim() || message}`)
  }
}

/**
 * Runs a long engine command (a build) with its output in `logFile`, each line stamped with the
 * seconds since it started, so a slow step shows in the log. Rejects with the log's last lines.
 */
export function engineCommandLogged(
  engine: Engine,
  args: string[],
  { logFile, cwd }: { logFile: string; cwd: string },
): Promise<void> {
  const started = Date.now()
  const log = createWriteStream(logFile)
  const tail: string[] = []
  const stamp = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue
      const stamped = `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}`
      log.write(`${stamped}\n`)
      tail.push(stamped)
      if (tail.length > 40) tail.shift()
    }
  }
  return new Promise((resolve, reject) => {
    const child = spawn(engine.name, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', stamp)
    child.stderr.on('data', stamp)
    child.once('error', reject)
    child.once('close', (code) => {
      log.end()
      if (code === 0) resolve()
      else
        reject(
          new Error(
            `${engine.name} ${args.slice(0, 2).join(' ')} … exited ${code} (${logFile}):\n${tail.join('\n')}`,
          ),
        )
    })
  })
}
