import { randomBytes } from 'node:crypto'
import { type Engine, engineCommand } from './engine.ts'

export interface RunOptions {
  image: string
  /** Default: the host's network (the services reach Kafka and PostgreSQL on 127.0.0.1). */
  network?: { publish: { host: number; container: number } }
  env?: Record<string, string>
  command?: string[]
}

/** Label on every container the image test starts, so none outlives a run (see removeLeftovers). */
const LABEL = 'kafka-ref.image-test=true'

const runArgs = (engine: Engine, options: RunOptions) => [
  ...engine.runFlags,
  '--label',
  LABEL,
  ...(options.network
    ? [
        ...engine.publishNetwork,
        '--publish',
        `127.0.0.1:${options.network.publish.host}:${options.network.publish.container}`,
      ]
    : ['--network', 'host']),
  ...Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
  options.image,
  ...(options.command ?? []),
]

/** Runs a one-shot command in a fresh container and returns its output; a non-zero exit throws. */
export async function runOnce(engine: Engine, options: RunOptions, timeoutMs = 60_000): Promise<string> {
  return engineCommand(engine, ['run', '--rm', ...runArgs(engine, options)], { timeoutMs })
}

/** Removes the containers an earlier, interrupted run left behind. */
export async function removeLeftovers(engine: Engine): Promise<void> {
  const ids = (await engineCommand(engine, ['ps', '--all', '--quiet', '--filter', `label=${LABEL}`]))
    .split('\n')
    .filter(Boolean)
  if (ids.length > 0) await engineCommand(engine, ['rm', '--force', ...ids])
}

/** A container started in the background (`run --detach`). */
export class Container {
  private constructor(
    private readonly engine: Engine,
    readonly name: string,
  ) {}

  static async start(engine: Engine, name: string, options: RunOptions): Promise<Container> {
    const unique = `kafka-ref-${name}-${randomBytes(3).toString('hex')}`
    await engineCommand(engine, ['run', '--detach', '--name', unique, ...runArgs(engine, options)])
    return new Container(engine, unique)
  }

  /** Real, effective, saved and filesystem uid of the container's main process (pid 1). */
  async mainProcessUids(): Promise<number[]> {
    const status = await engineCommand(this.engine, ['exec', this.name, 'cat', '/proc/1/status'])
    const line = status.split('\n').find((entry) => entry.startsWith('Uid:'))
    if (!line) throw new Error(`no Uid line in /proc/1/status of ${this.name}`)
    return line.split(/\s+/).slice(1).map(Number)
  }

  async exec(command: string[]): Promise<string> {
    return engineCommand(this.engine, ['exec', this.name, ...command])
  }

  async logs(lines = 40): Promise<string> {
    return engineCommand(this.engine, ['logs', '--tail', String(lines), this.name], { stderr: true }).catch(
      (error: Error) => error.message,
    )
  }

  /**
   * Stops the container as an orchestrator does: its stop signal (SIGTERM, or nginx's SIGQUIT), then
   * SIGKILL after `graceSeconds`. Returns how long it took and the main process's exit code (137
   * means it was killed).
   */
  async stop(graceSeconds: number): Promise<{ ms: number; exitCode: number }> {
    const started = Date.now()
    await engineCommand(this.engine, ['stop', '--time', String(graceSeconds), this.name], {
      timeoutMs: (graceSeconds + 30) * 1000,
    })
    const ms = Date.now() - started
    const exitCode = Number(
      (await engineCommand(this.engine, ['inspect', '--format', '{{.State.ExitCode}}', this.name])).trim(),
    )
    return { ms, exitCode }
  }

  async remove(): Promise<void> {
    await engineCommand(this.engine, ['rm', '--force', this.name]).catch(() => {})
  }
}
