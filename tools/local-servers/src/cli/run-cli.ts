import { parseArgs } from 'node:util'
import { isToolError } from '../util/tool-error.ts'

/**
 * Runs a CLI's main function: a ToolError prints only its message (it already says what to do), any
 * other error prints its stack; both exit 1.
 */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(isToolError(error) ? error.message : error)
    process.exit(1)
  })
}

/** `--port N` wins over the env variable, which wins over the default. */
export function portOption(envName: string, fallback: number): number {
  const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: false })
  const raw = typeof values.port === 'string' ? values.port : process.env[envName]
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`Invalid port '${raw}' (from ${typeof values.port === 'string' ? '--port' : envName})`)
  }
  return port
}

/** Keeps the process in the foreground until Ctrl-C / SIGTERM, then runs `stop` once and exits. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal} received, stopping...`)
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`
}
