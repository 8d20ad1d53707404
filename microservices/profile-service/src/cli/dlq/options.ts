import { parseArgs } from 'node:util'
import type { Filters } from './decide.ts'

/** How the command is called: the start of its usage and error lines. */
export const COMMAND = 'pnpm dlq'

/** A mistake in how the command was called: one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

const OPTIONS = {
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  reason: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  partition: { type: 'string' },
  'from-offset': { type: 'string' },
  'to-offset': { type: 'string' },
  max: { type: 'string' },
  cap: { type: 'string', default: '3' },
  group: { type: 'string' },
  rate: { type: 'string' },
  'batch-size': { type: 'string', default: '100' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

export const HELP = `Usage: ${COMMAND} [options]

Re-drives dead letters of user_register_dlq to user_register: each as it was sent (key, value,
headers) plus a re-drive count, in the command's own consumer group, committing only what the
broker acknowledged. Brokers and namespace come from KAFKA_BROKERS and KAFKA_TOPIC_NAMESPACE.

  --dry-run            report what a run would do (counts, offsets, masked samples); change nothing
  --json               print the report as one JSON object (counts by outcome first)
  --reason <reason>    only dead letters of this dlq_reason (repeatable)
  --since <time>       only those dead-lettered at or after this ISO 8601 time
  --until <time>       only those dead-lettered before this ISO 8601 time
  --partition <n>      only this partition of the dead-letter topic
  --from-offset <n>    read from this offset instead of the group's cursor (again, e.g.)
  --to-offset <n>      read up to this offset (inclusive)
  --max <n>            re-drive at most n, then stop (the cursor stays before the next)
  --cap <n>            skip a dead letter re-driven n times already (default 3)
  --group <name>       the cursor's consumer group (default: profile-service-dlq-redrive, namespaced)
  --rate <n>           republish at most n a second
  --batch-size <n>     dead letters read, republished and committed at a time (default 100)
  -h, --help           this text`

const names = Object.keys(OPTIONS).map((name) => `--${name}`)

function integer(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || value < min)
    throw new UsageError(`--${name} must be an integer of at least ${min}, got '${raw}'`)
  return value
}

function time(name: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined
  const value = new Date(raw)
  if (Number.isNaN(value.getTime())) throw new UsageError(`--${name} must be an ISO 8601 time, got '${raw}'`)
  return value
}

function parse(args: string[]) {
  try {
    return parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options: OPTIONS, strict: true }).values
  } catch (error) {
    // Node's first sentence names the culprit ("Unknown option '--x'"), in the repository's CLIs' form.
    const what = (error as Error).message.split('. ')[0]!.replace(/^./, (first) => first.toLowerCase())
    throw new UsageError(`${what}; valid options: ${names.join(', ')}`)
  }
}

/** The options, read strictly: an unknown option or a bad value is a UsageError naming it. */
export function parseOptions(args: string[]) {
  const values = parse(args)
  const filters: Filters = {
    reasons: values.reason ?? [],
    since: time('since', values.since),
    until: time('until', values.until),
  }
  return {
    help: values.help,
    dryRun: values['dry-run'],
    json: values.json,
    filters,
    partition: integer('partition', values.partition, 0),
    fromOffset: integer('from-offset', values['from-offset'], 0),
    toOffset: integer('to-offset', values['to-offset'], 0),
    max: integer('max', values.max, 1),
    cap: integer('cap', values.cap, 1)!,
    group: values.group,
    rate: integer('rate', values.rate, 1),
    batchSize: integer('batch-size', values['batch-size'], 1)!,
  }
}
export type CliOptions = ReturnType<typeof parseOptions>
