import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { guardAgainstOrphan, sleep, ToolError, waitForExit, which } from '@kafka-ref/local-servers'
import { type BalancedServer, renderHaproxyConfig } from './haproxy-config.ts'

export const HAPROXY_MISSING =
  'HAProxy is missing and running several instances needs it: install it (Debian/Ubuntu: apt-get install haproxy, as root; macOS: brew install haproxy) or put it on PATH'

/** A service with its instances at fixed local addresses, behind one front address. */
export interface LocalBalancedService {
  name: string
  /** `host:port` clients connect to, e.g. `127.0.0.1:3001`. */
  bind: string
  /** Each instance by its label (made a valid server name) and `host:port`. */
  servers: readonly BalancedServer[]
}

export interface BalancerOptions {
  services: readonly LocalBalancedService[]
  /** Every line HAProxy writes (server state changes, alerts). */
  onLine?: (line: string) => void
}

/** One instance as the balancer sees it. */
export interface ServerState {
  service: string
  server: string
  /** `UP`, `DOWN`, `UP 1/2` (failing, not yet out), `DOWN 1/2` (passing, not yet in), `MAINT`. */
  status: string
  /** Requests whose connection to it failed and were sent to another instance instead. */
  redispatches: number
}

/** An instance's label as an HAProxy server name (`user-service#1` → `user-service-1`: `#` starts a comment). */
export function serverName(label: string): string {
  return label.replace(/[^\w.-]/g, '-')
}

/** One `show stat` request on the runtime API's socket; the answer ends when HAProxy closes it. */
function runtimeCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = ''
    const connection = createConnection(socket, () => connection.end(`${command}\n`))
    connection.setEncoding('utf8')
    connection.setTimeout(5_000, () => connection.destroy(new Error(`no answer to "${command}"`)))
    connection.on('data', (chunk: string) => {
      answer += chunk
    })
    connection.on('end', () => resolve(answer))
    connection.on('error', reject)
  })
}

/** `show stat`'s CSV, its header line starting with `# `: the servers (not the front or back ends). */
function parseServerStates(csv: string): ServerState[] {
  const [header = '', ...rows] = csv.trim().split('\n')
  const columns = header.replace(/^# /, '').split(',')
  const at = (row: string[], name: string) => row[columns.indexOf(name)] ?? ''
  return rows
    .map((line) => line.split(','))
    .filter((row) => !['FRONTEND', 'BACKEND'].includes(at(row, 'svname')))
    .map((row) => ({
      service: at(row, 'pxname'),
      server: at(row, 'svname'),
      status: at(row, 'status'),
      redispatches: Number(at(row, 'wredis')),
    }))
}

/**
 * HAProxy (from the platform's packages) in front of local instances, as a child process in the
 * foreground (`-db`) with a configuration from `renderHaproxyConfig`. Instances keep their
 * addresses across restarts, so the configuration never changes and nothing is reloaded.
 */
/**
 * HAProxy 2.6 reports each proxy's soft stop at WARNING level (`quiet` does not silence it): on a
 * stop asked for, that is the expected end, so it is kept in `lines` but not passed on as a warning.
 */
const PROXY_STOPPED = /^\[WARNING\]\s+\(\d+\) : Proxy \S+ stopped \(/

export class Balancer {
  /** Every line HAProxy wrote. */
  readonly lines: string[] = []
  readonly #child: ChildProcess
  readonly #dir: string
  readonly #socket: string
  #stopping = false

  private constructor(child: ChildProcess, dir: string, socket: string) {
    this.#child = child
    this.#dir = dir
    this.#socket = socket
  }

  /** Starts HAProxy and resolves once its runtime API answers (its front ports are bound by then). */
  static async start(options: BalancerOptions): Promise<Balancer> {
    const haproxy = which('haproxy') ?? which('haproxy', '/usr/sbin:/usr/local/sbin')
    if (!haproxy) throw new ToolError(HAPROXY_MISSING)
    const dir = await mkdtemp(join(tmpdir(), 'kafka-ref-haproxy-'))
    const socket = join(dir, 'runtime.sock')
    const config = join(dir, 'haproxy.cfg')
    const services = options.services.map((service) => ({
      name: service.name,
      bind: service.bind,
      instances: service.servers.map((server) => ({ ...server, name: serverName(server.name) })),
    }))
    await writeFile(config, renderHaproxyConfig({ services, statsSocket: socket }))
    const child = spawn(haproxy, ['-f', config, '-db'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, like the services: the runner stops it in order.
      detached: true,
    })
    const balancer = new Balancer(child, dir, socket)
    if (child.pid !== undefined) child.once('exit', guardAgainstOrphan(child.pid, 'KILL'))
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        balancer.lines.push(line)
        if (!(balancer.#stopping && PROXY_STOPPED.test(line))) options.onLine?.(line)
      })
    }
    child.on('error', () => undefined)
    try {
      await balancer.#waitStarted(10_000)
    } catch (error) {
      await balancer.stop()
      throw error
    }
    return balancer
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Every instance, as the health checks last saw it. */
  async serverStates(): Promise<ServerState[]> {
    return parseServerStates(await runtimeCommand(this.#socket, 'show stat'))
  }

  /** Resolves once the balancer has the instance `label` of `service` in state `status` (`UP`: it gets requests). */
  async waitForServer(service: string, label: string, status: 'UP' | 'DOWN', timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs
    const server = serverName(label)
    let last = 'unknown'
    while (Date.now() < deadline) {
      const state = (await this.serverStates()).find((s) => s.service === service && s.server === server)
      last = state?.status ?? 'not configured'
      if (last === status) return
      await sleep(100)
    }
    throw new ToolError(
      `the balancer did not see ${service}/${server} ${status} within ${timeoutMs} ms (${last})`,
    )
  }

  /**
   * A soft stop (SIGUSR1): HAProxy stops listening and exits once the requests it carries are
   * answered; SIGTERM (hard stop) if that takes longer than `timeoutMs`.
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.#stopping = true
    if (this.running) {
      this.#child.kill('SIGUSR1')
      if (!(await waitForExit(this.#child, timeoutMs))) {
        this.#child.kill('SIGTERM')
        await waitForExit(this.#child, 5_000)
      }
    }
    await rm(this.#dir, { recursive: true, force: true })
  }

  async #waitStarted(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new ToolError(`HAProxy exited during start-up:\n${this.lines.slice(-10).join('\n')}`)
      }
      try {
        await runtimeCommand(this.#socket, 'show info')
        return
      } catch {
        // not up yet
      }
      await sleep(50)
    }
    throw new ToolError(`HAProxy did not start within ${timeoutMs} ms:\n${this.lines.slice(-10).join('\n')}`)
  }
}
