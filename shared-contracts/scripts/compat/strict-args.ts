import { type ParseArgsConfig, parseArgs } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * The options of one of these scripts, read strictly: anything else is one line naming it and
 * exit code 2 (the usage error every CLI of the repository gives). No positional arguments.
 */
export function strictArgs(command: string, options: Options): Record<string, string | boolean | undefined> {
  const args = process.argv.slice(2)
  try {
    const { values } = parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options, strict: true })
    return values as Record<string, string | boolean | undefined>
  } catch (error) {
    const valid = Object.keys(options).map((name) => `--${name}`)
    console.error(
      `${command}: ${(error as Error).message.split('. ')[0]}; valid options: ${valid.join(', ') || 'none'}`,
    )
    process.exit(2)
  }
}
