import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { guardAgainstOrphan } from '../util/orphan-guard.ts'
import { sleep } from '../util/sleep.ts'
import { ToolError } from '../util/tool-error.ts'
import { waitForExit } from '../util/wait-for-exit.ts'
import { isFormatted } from './config.ts'

const execFileAsync = promisify(execFile)

// JVMs still running when Node exits are killed, so no orphan broker keeps its ports.
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Each node's heap, bounded: three nodes share one small machine (docker-compose's cluster too). */
export const KAFKA_HEAP_OPTIONS = ['-Xms256m', '-Xmx512m'] as const

const JVM_OPTIONS = [
  ...KAFKA_HEAP_OPTIONS,
  // Light on two cores: one GC thread, and C1 only (the broker starts faster; tests do not need C2 peak speed).
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
]

export interface KafkaJvmOptions {
  java: string
  /** The jars' folder with `/*`. */
  classpath: string
  /** The node's folder: server.properties and log4j2.properties are read from it, broker.out written to it. */
  dataDir: string
  /** false echoes the JVM's output to this terminal instead of `<dataDir>/broker.out`. */
  quiet: boolean
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/**
 * Formats a node's storage for `clusterId` unless it already is (the same id for every node of a
 * cluster: that is what makes them one).
 */
export async function formatStorage(options: KafkaJvmOptions, clusterId: string): Promise<void> {
  const { java, classpath, dataDir } = options
  if (isFormatted(dataDir)) return
  try {
    // --ignore-formatted keeps this safe if a previous start formatted the dir but died before writing anything else.
    await execFileAsync(java, [
      '-cp',
      classpath,
      `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`,
      'kafka.tools.StorageTool',
      'format',
      // One argument, so an id kept from before that starts with '-' is not read as an option.
      `--cluster-id=${clusterId}`,
      '-c',
      join(dataDir, 'server.properties'),
      '--ignore-formatted',
    ])
  } catch (error) {
    const detail = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : String(error)
    throw new ToolError(`Formatting Kafka storage in ${dataDir} failed: ${detail}`)
  }
}

/** The `kafka.Kafka` JVM of one node: started, stopped, killed and started again on the same folder. */
export class KafkaJvm {
  readonly #options: KafkaJvmOptions
  #child: ChildProcess | undefined
  #spawnError: Error | undefined
  #cancelGuard: (() => void) | undefined

  constructor(options: KafkaJvmOptions) {
    this.#options = options
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined
  }

  get running(): boolean {
    const child = this.#child
    return child !== undefined && !this.#spawnError && child.exitCode === null && child.signalCode === null
  }

  /** Starts the JVM unless it runs; readiness is the caller's to wait for (see `failure`). */
  spawn(): void {
    if (this.running) return
    const { java, classpath, dataDir, quiet } = this.#options
    // Appended, not truncated: after kill() + start() the crash's output is still there to read.
    const out = openSync(join(dataDir, 'broker.out'), 'a')
    const proc = spawn(
      java,
      [
        ...JVM_OPTIONS,
        `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        join(dataDir, 'server.properties'),
      ],
      {
        // Its own process group: a terminal's Ctrl-C reaches only our CLI, which stops the broker
        // last, after the services that use it. The orphan guard covers our own death.
        detached: true,
        stdio: ['ignore', quiet ? out : 'inherit', quiet ? out : 'inherit'],
      },
    )
    closeSync(out)
    // A spawn failure (java not executable, say) is reported by the caller's readiness wait, as a
    // ToolError; without a listener it would be an unhandled 'error' event that kills the process.
    this.#spawnError = undefined
    proc.once('error', (error) => {
      this.#spawnError = error
    })
    this.#child = proc
    running.add(proc)
    proc.once('exit', () => running.delete(proc))
    if (proc.pid !== undefined) this.#cancelGuard = guardAgainstOrphan(proc.pid, 'TERM')
  }

  /** Why the JVM is not running: it could not be started, or it exited; with its last log lines. */
  async failure(): Promise<string> {
    const { java, dataDir } = this.#options
    const proc = this.#child
    const why = this.#spawnError
      ? `cannot run ${java}: ${this.#spawnError.message}`
      : `the broker JVM exited (code ${proc?.exitCode ?? proc?.signalCode})`
    const logs = [await tail(join(dataDir, 'broker.out'), 15), await tail(join(dataDir, 'broker.log'), 15)]
    return [why, ...logs.filter(Boolean)].join('\n')
  }

  /** SIGTERM (a controlled shutdown: leadership moves first), SIGKILL after 15 s; or SIGKILL at once. */
  async terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const proc = this.#child
    if (!proc || this.#spawnError) return
    proc.kill(signal)
    if (!(await waitForExit(proc, 15_000))) {
      proc.kill('SIGKILL')
      await waitForExit(proc, 5_000)
    }
    this.#cancelGuard?.()
    this.#cancelGuard = undefined
    // The OS may need a moment before the listener port can be bound again by a start.
    if (signal === 'SIGKILL') await sleep(100)
  }
}
