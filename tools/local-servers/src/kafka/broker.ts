import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { closeSync, openSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { freePorts } from '../util/free-port.ts'
import { guardAgainstOrphan } from '../util/orphan-guard.ts'
import { sleep } from '../util/sleep.ts'
import { ToolError } from '../util/tool-error.ts'
import { waitForExit } from '../util/wait-for-exit.ts'
import { waitForBroker } from './admin.ts'
import { clusterIdFor, isFormatted, log4jConfig, serverProperties } from './config.ts'
import { ensureKafkaJars, KAFKA_VERSION } from './jars.ts'
import { requireJava } from './requirements.ts'

const execFileAsync = promisify(execFile)

export interface StartKafkaOptions {
  /** Where config, logs and data live. Default: a fresh folder in os.tmpdir(). */
  dataDir?: string
  /** Client (PLAINTEXT) port. Default: a free port. */
  port?: number
  /** KRaft controller port. Default: a free port. */
  controllerPort?: number
  /** Default true: the JVM's stdout/stderr go to <dataDir>/broker.out; false echoes them to this terminal. */
  quiet?: boolean
  /** How long to wait for the broker to answer a metadata request. Default 60 s. */
  readyTimeoutMs?: number
}

export interface LocalKafka {
  /** `127.0.0.1:<port>`, ready for any Kafka client. */
  bootstrapServers: string
  dataDir: string
  /** Apache Kafka version of the jars, e.g. `4.1.1`. */
  version: string
  /** Pid of the broker JVM while it runs. */
  pid: number | undefined
  /** SIGTERM (clean shutdown), SIGKILL after 15 s. */
  stop(): Promise<void>
  /** SIGKILL: simulates a crash; the data dir stays for start(). */
  kill(): Promise<void>
  /** Starts again with the same data dir and ports after stop() or kill(). */
  start(): Promise<void>
}

// JVMs still running when Node exits are killed, so no orphan broker keeps its ports.
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

const JVM_OPTIONS = [
  '-Xms256m',
  '-Xmx512m',
  // Light on two cores: one GC thread, and C1 only (the broker starts faster; tests do not need C2 peak speed).
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
]

async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

async function formatStorage(
  java: string,
  classpath: string,
  dataDir: string,
  configFile: string,
): Promise<void> {
  if (isFormatted(dataDir)) return
  const clusterId = await clusterIdFor(dataDir)
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
      configFile,
      '--ignore-formatted',
    ])
  } catch (error) {
    const detail = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : String(error)
    throw new ToolError(`Formatting Kafka storage in ${dataDir} failed: ${detail}`)
  }
}

/**
 * Starts a real Apache Kafka broker (KRaft, broker+controller in one JVM) and resolves once it answers
 * a metadata request. The jars are fetched with Maven on first use (see ensureKafkaJars).
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<LocalKafka> {
  const java = await requireJava()
  const libDir = await ensureKafkaJars()
  const classpath = `${libDir}/*`
  const dataDir = resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kafka-ref-kafka-'))))
  if (options.dataDir === undefined) {
    // A temporary broker's data is of no use once this process is gone; kept until then for start().
    process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  }
  await mkdir(dataDir, { recursive: true })

  let ports = { port: options.port ?? 0, controllerPort: options.controllerPort ?? 0 }
  if (!ports.port || !ports.controllerPort) {
    const [port, controllerPort] = await freePorts(2)
    ports = { port: ports.port || port!, controllerPort: ports.controllerPort || controllerPort! }
  }
  const bootstrapServers = `127.0.0.1:${ports.port}`
  const configFile = join(dataDir, 'server.properties')
  await writeFile(configFile, serverProperties(dataDir, ports))
  await writeFile(join(dataDir, 'log4j2.properties'), log4jConfig(dataDir))
  await formatStorage(java, classpath, dataDir, configFile)

  let child: ChildProcess | undefined
  let cancelGuard: (() => void) | undefined

  const launch = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) return
    const outFile = join(dataDir, 'broker.out')
    // Appended, not truncated: after kill() + start() the crash's output is still there to read.
    const out = openSync(outFile, 'a')
    const proc = spawn(
      java,
      [
        ...JVM_OPTIONS,
        `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        configFile,
      ],
      {
        // Its own process group: a terminal's Ctrl-C reaches only our CLI, which stops the broker
        // last, after the services that use it. The orphan guard covers our own death.
        detached: true,
        stdio: [
          'ignore',
          options.quiet === false ? 'inherit' : out,
          options.quiet === false ? 'inherit' : out,
        ],
      },
    )
    closeSync(out)
    // A spawn failure (java not executable, say) is reported by the readiness wait below, as a
    // ToolError; without a listener it would be an unhandled 'error' event that kills the process.
    let spawnError: Error | undefined
    proc.once('error', (error) => {
      spawnError = error
    })
    child = proc
    running.add(proc)
    proc.once('exit', () => running.delete(proc))
    if (proc.pid !== undefined) cancelGuard = guardAgainstOrphan(proc.pid, 'TERM')

    try {
      await waitForBroker(bootstrapServers, {
        timeoutMs: options.readyTimeoutMs ?? 60_000,
        alive: () => !spawnError && proc.exitCode === null && proc.signalCode === null,
      })
    } catch (error) {
      const exited = proc.exitCode !== null || proc.signalCode !== null
      if (!spawnError) await terminate(proc, 'SIGKILL')
      const logs = [await tail(outFile, 15), await tail(join(dataDir, 'broker.log'), 15)]
        .filter(Boolean)
        .join('\n')
      const why = spawnError
        ? `cannot run ${java}: ${spawnError.message}`
        : exited
          ? `the broker JVM exited (code ${proc.exitCode ?? proc.signalCode})`
          : String(error)
      throw new ToolError(`Kafka ${KAFKA_VERSION} failed to start on ${bootstrapServers}: ${why}\n${logs}`)
    }
  }

  const terminate = async (proc: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    proc.kill(signal)
    if (!(await waitForExit(proc, 15_000))) {
      proc.kill('SIGKILL')
      await waitForExit(proc, 5_000)
    }
    cancelGuard?.()
    cancelGuard = undefined
    // The OS may need a moment before the listener port can be bound again by start().
    if (signal === 'SIGKILL') await sleep(100)
  }

  const kafka: LocalKafka = {
    bootstrapServers,
    dataDir,
    version: KAFKA_VERSION,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined
    },
    async stop() {
      if (child) await terminate(child, 'SIGTERM')
    },
    async kill() {
      if (child) await terminate(child, 'SIGKILL')
    },
    start: launch,
  }
  await launch()
  return kafka
}
