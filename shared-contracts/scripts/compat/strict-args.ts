import { type ParseArgsConfig, parseArgs } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * The options of one of these scripts, read strictly as every CLI of the repository does: anything
 * else is one line naming it and the valid options, exit code 2; `--help` prints `help` and exits.
 */
export function strictArgs(
  command: string,
  options: Options,
  help: string,
): Record<string, string | boolean | undefined> {
  const args = process.argv.slice(2)
  const all: Options = { ...options, help: { type: 'boolean', short: 'h' } }
  let values: Record<string, unknown>
  try {
    values = parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options: all, strict: true }).values
  } catch (error) {
    // Node's first sentence names the culprit ("Unknown option '--x'"), in the repository's CLIs' form.
    const what = (error as Error).message.split('. ')[0]!.replace(/^./, (first) => first.toLowerCase())
    const valid = Object.keys(all).map((name) => `--${name}`)
    console.error(`${command}: ${what}; valid options: ${valid.join(', ')}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(
      `Usage: ${command} ${Object.keys(all)
        .map((name) => `[--${name}]`)
        .join(' ')}\n\n${help}`,
    )
    process.exit(0)
  }
  return values as Record<string, string | boolean | undefined>
}
