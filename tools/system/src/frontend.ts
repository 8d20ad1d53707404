import { type ChildProcess, spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { createInterface } from 'node:readline'
import { gzipSync } from 'node:zlib'
import { guardAgainstOrphan, repoRoot, sleep, ToolError, waitForExit } from '@kafka-ref/local-servers'

/** Where the page finds the services: baked in at build time (dev: when the server starts). */
export interface FrontendApi {
  userServiceUrl: string
  profileServiceUrl: string
}

const frontendDir = () => join(repoRoot(), 'frontend')

function viteEnv(api: FrontendApi): Record<string, string> {
  return { VITE_USER_SERVICE_URL: api.userServiceUrl, VITE_PROFILE_SERVICE_URL: api.profileServiceUrl }
}

/** Runs the frontend package's own Vite (the `vite` CLI a person would run in `frontend/`). */
function spawnVite(args: string[], env: Record<string, string>): ChildProcess {
  const vite = join(frontendDir(), 'node_modules', 'vite', 'bin', 'vite.js')
  return spawn(process.execPath, [vite, ...args], {
    cwd: frontendDir(),
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
}

function collectLines(child: ChildProcess, lines: string[], onLine?: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line)
      onLine?.(line)
    })
  }
}

export interface BuiltFile {
  /** Path inside the output folder, e.g. `assets/index-abc.js`. */
  file: string
  bytes: number
  gzipBytes: number
}

/**
 * `vite build` of the page into `outDir`, pointed at these services. Returns every emitted file
 * with its size and gzip size (level 9, as a static server would precompress it).
 */
export async function buildFrontend(outDir: string, api: FrontendApi): Promise<BuiltFile[]> {
  const child = spawnVite(['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], viteEnv(api))
  const lines: string[] = []
  collectLines(child, lines)
  if (child.pid !== undefined) child.once('exit', guardAgainstOrphan(child.pid, 'KILL'))
  const finished = await waitForExit(child, 120_000)
  if (!finished || child.exitCode !== 0) {
    child.kill('SIGKILL')
    throw new ToolError(`vite build of the frontend failed:\n${lines.slice(-20).join('\n')}`)
  }
  return builtFiles(outDir)
}

async function builtFiles(outDir: string): Promise<BuiltFile[]> {
  const entries = await readdir(outDir, { recursive: true, withFileTypes: true })
  const files: BuiltFile[] = []
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const content = await readFile(path)
    files.push({
      file: relative(outDir, path),
      bytes: content.length,
      gzipBytes: gzipSync(content, { level: 9 }).length,
    })
  }
  return files.sort((a, b) => a.file.localeCompare(b.file))
}

export interface FrontendServerOptions {
  /** `dev`: Vite's dev server on the sources; `preview`: the built page in `outDir`. */
  mode: 'dev' | 'preview'
  port: number
  /** preview only: the folder `buildFrontend` wrote. */
  outDir?: string
  /** dev only: the built page has them baked in already. */
  api?: FrontendApi
  onLine?: (line: string) => void
}

/**
 * The page served over HTTP on 127.0.0.1, as a separate process: `vite` (dev) or `vite preview`
 * (the built files). Its origin (`url`) must be in the services' CORS_ORIGINS.
 */
export class FrontendServer {
  readonly url: string
  readonly lines: string[] = []
  #child: ChildProcess | undefined

  constructor(private readonly options: FrontendServerOptions) {
    this.url = `http://127.0.0.1:${options.port}`
  }

  /** Spawns the server and resolves once it serves the page. */
  async start(readyTimeoutMs = 30_000): Promise<void> {
    const { mode, port, outDir, api } = this.options
    if (mode === 'preview' && !outDir) throw new Error('preview needs the outDir of a build')
    const args = [
      ...(mode === 'preview' ? ['preview', '--outDir', outDir!] : []),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
    ]
    const child = spawnVite(args, api ? viteEnv(api) : {})
    this.#child = child
    if (child.pid !== undefined) child.once('exit', guardAgainstOrphan(child.pid, 'KILL'))
    collectLines(child, this.lines, this.options.onLine)

    const deadline = Date.now() + readyTimeoutMs
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new ToolError(`vite ${mode} exited during start-up:\n${this.lines.slice(-10).join('\n')}`)
      }
      try {
        const response = await fetch(this.url, { signal: AbortSignal.timeout(2_000) })
        if (response.ok) return
      } catch {
        // not listening yet
      }
      await sleep(100)
    }
    await this.stop()
    throw new ToolError(`vite ${mode} did not serve ${this.url} within ${readyTimeoutMs} ms`)
  }

  async stop(): Promise<void> {
    const child = this.#child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    if (!(await waitForExit(child, 5_000))) {
      child.kill('SIGKILL')
      await waitForExit(child, 5_000)
    }
  }
}
