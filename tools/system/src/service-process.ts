import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { freePort, guardAgainstOrphan, repoRoot, ToolError, waitForExit } from '@kafka-ref/local-servers'

export const SERVICE_NAMES = ['user-service', 'profile-service'] as const
export type ServiceName = (typeof SERVICE_NAMES)[number]

export interface ServiceProcessOptions {
  service: ServiceName
  /** Name shown in logs; defaults to the service name (e.g. `profile-service#2` for a second instance). */
  label?: string
  port: number
  /**
   * METRICS_PORT, where the process serves `GET /metrics` (`0`: on `port`); omitted, a free port
   * chosen at the first start, so instances side by side never share one.
   */
  metricsPort?: number
  /** The service's environment (its config); PORT, HOST and METRICS_PORT are set from the ports. */
  env: Record<string, string>
  /** Called with every line the service writes (pino JSON on stdout, anything on stderr). */
  onLine?: (line: string, label: string) => void
}

/**
 * A service started from its own entry point (`src/server.ts`) as a separate Node process, as in
 * production: the one-command run and the end-to-end tests use it, so both exercise the real
 * start-up, signal handling and shutdown code.
 */
export class ServiceProcess {
  readonly label: string
  readonly url: string
  /** Every line the process wrote, in order, across restarts. */
  readonly lines: string[] = []
  #child: ChildProcess | undefined
  #envOverrides: Record<string, string> = {}
  #metricsPort: number | undefined

  constructor(private readonly options: ServiceProcessOptions) {
    this.label = options.label ?? options.service
    this.url = `http://127.0.0.1:${options.port}`
    this.#metricsPort = options.metricsPort
  }

  /** Base URL of its `GET /metrics` (known once it has been started, or given). */
  get metricsUrl(): string {
    if (this.#metricsPort === undefined) throw new Error(`${this.label} has no metrics port before its start`)
    return this.#metricsPort === 0 ? this.url : `http://127.0.0.1:${this.#metricsPort}`
  }

  /** The environment it was given (its configuration), without PORT and HOST. */
  get env(): Readonly<Record<string, string>> {
    return this.options.env
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** How the last run ended (undefined while it runs or before start): tells a clean exit from a kill. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    const child = this.#child
    if (!child || this.running) return undefined
    return { code: child.exitCode, signal: child.signalCode }
  }

  /** Environment over `options.env` from the next start on (a restart with other settings); `{}` undoes it. */
  setEnv(overrides: Record<string, string>): void {
    this.#envOverrides = overrides
  }

  /** Spawns the process and resolves once `/health/ready` answers 200. */
  async start(readyTimeoutMs = 90_000, signal?: AbortSignal): Promise<void> {
    const dir = join(repoRoot(), 'microservices', this.options.service)
    this.#metricsPort ??= await freePort()
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/server.ts'], {
      cwd: dir,
      env: {
        ...process.env,
        ...this.options.env,
        ...this.#envOverrides,
        HOST: '127.0.0.1',
        PORT: String(this.options.port),
        METRICS_PORT: String(this.#metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: Ctrl-C in a terminal reaches the runner, which stops services in order.
      detached: true,
    })
    this.#child = child
    // A test runner killed hard must not leave services holding ports and consumer-group seats.
    if (child.pid !== undefined) child.once('exit', guardAgainstOrphan(child.pid, 'KILL'))
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line)
        this.options.onLine?.(line, this.label)
      })
    }
    await this.#waitReady(child, readyTimeoutMs, signal)
  }

  async #waitReady(child: ChildProcess, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      signal?.throwIfAborted()
      if (child.exitCode !== null || child.signalCode !== null) {
        const tail = this.lines.slice(-5).join('\n')
        throw new ToolError(`${this.label} exited during start-up (code ${child.exitCode}):\n${tail}`)
      }
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) })
        if (response.ok) return
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await this.kill()
    throw new ToolError(`${this.label} was not ready within ${timeoutMs} ms (see its logs above)`)
  }

  /**
   * The service's graceful shutdown; SIGKILL if it takes longer than `timeoutMs`. SIGTERM first
   * drains (SHUTDOWN_DRAIN_DELAY_MS: readiness 503 while it still serves), as when an orchestrator
   * stops one instance among others; SIGINT closes at once, when nothing routes requests to it.
   */
  async stop(timeoutMs = 20_000, signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM'): Promise<void> {
    const child = this.#child
    if (!child || !this.running) return
    child.kill(signal)
    if (!(await waitForExit(child, timeoutMs))) {
      child.kill('SIGKILL')
      await waitForExit(child, 5_000)
    }
  }

  /** SIGKILL: a crash, with no chance to commit or flush anything. */
  async kill(): Promise<void> {
    const child = this.#child
    if (!child || !this.running) return
    child.kill('SIGKILL')
    await waitForExit(child, 5_000)
  }
}
