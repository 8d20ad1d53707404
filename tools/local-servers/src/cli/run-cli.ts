import { type ParseArgsConfig, parseArgs } from 'node:util'
import { isToolError } from '../util/tool-error.ts'

type Options = NonNullable<ParseArgsConfig['options']>

/** What a CLI accepts: its options (util.parseArgs's), nothing else. */
export interface Cli<O extends Options> {
  /** How it is called, e.g. `pnpm dev`: the start of its usage and error lines. */
  command: string
  options: O
  /** What --help prints after the usage line: what the options and variables do. */
  help: string
}

type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>
>['values']

/**
 * A mistake in how a CLI was called (an option it does not know, a bad value): one line naming it,
 * exit code 2, the usual one for a usage error.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Thrown once --help is printed: nothing else is to run. */
class HelpShown extends Error {}

const HELP = { help: { type: 'boolean', short: 'h' } } as const

const optionNames = (options: Options) =>
  Object.entries(options).map(([name, option]) => `--${name}${option.type === 'string' ? ' <value>' : ''}`)

/**
 * The arguments, read by util.parseArgs in strict mode: an unknown option, a positional argument or
 * a missing value is a UsageError naming it. Node's own messages say more than one line (and how
 * to pass a positional starting with '-'); the tokens of a lenient parse name the culprit.
 */
function parseCliArgs<O extends Options>(cli: Cli<O>, args: string[]): Values<O> {
  const options = { ...cli.options, ...HELP }
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false })
    if ((values as { help?: boolean }).help) {
      const usage = optionNames(options).map((name) => `[${name}]`)
      console.log(`Usage: ${cli.command} ${usage.join(' ')}\n\n${cli.help}`)
      throw new HelpShown()
    }
    return values as Values<O>
  } catch (error) {
    if (!(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) throw error
    const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true })
    const culprit = tokens.find(
      (token) =>
        token.kind === 'positional' || (token.kind === 'option' && !Object.hasOwn(options, token.name)),
    )
    const what =
      culprit?.kind === 'option'
        ? `unknown option '${culprit.rawName}'`
        : culprit?.kind === 'positional'
          ? `unexpected argument '${culprit.value}'`
          : (error as Error).message.split('. ')[0]!.replace(/^Option/, 'option')
    throw new UsageError(`${what}; valid options: ${optionNames(options).join(', ')}`)
  }
}

/**
 * Runs a CLI's main function with its parsed options. A UsageError prints one line and exits 2;
 * a ToolError prints only its message (it already says what to do), any other error its stack;
 * both exit 1.
 */
export function runCli<const O extends Options>(
  cli: Cli<O>,
  main: (values: Values<O>) => Promise<void>,
): void {
  Promise.resolve()
    .then(() => {
      const args = process.argv.slice(2)
      // `pnpm dev -- --partitions 6` (npm's habit) passes the `--` on: it ends pnpm's options, not ours.
      return main(parseCliArgs(cli, args[0] === '--' ? args.slice(1) : args))
    })
    .catch((error: unknown) => {
      if (error instanceof HelpShown) return
      if (error instanceof UsageError) {
        // Nothing has started yet: the process ends by itself, once the line is written.
        console.error(`${cli.command}: ${error.message}`)
        process.exitCode = 2
        return
      }
      console.error(isToolError(error) ? error.message : error)
      process.exit(1)
    })
}

/** `--port N` (when the CLI has it) wins over the env variable, which wins over the default. */
export function portOption(envName: string, fallback: number, flag?: string): number {
  const raw = flag ?? process.env[envName]
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new UsageError(`invalid port '${raw}' (from ${flag === undefined ? envName : '--port'})`)
  }
  return port
}

/** Most local Kafka nodes a CLI starts: each is a JVM of up to 512 MB heap on this one machine. */
export const MAX_LOCAL_BROKERS = 5

/** `--brokers N`: how many local Kafka nodes (default 1). */
export function brokersOption(flag?: string): number {
  if (flag === undefined) return 1
  const brokers = Number(flag)
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > MAX_LOCAL_BROKERS) {
    throw new UsageError(
      `invalid broker count '${flag}' (from --brokers): a whole number from 1 to ${MAX_LOCAL_BROKERS}`,
    )
  }
  return brokers
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
