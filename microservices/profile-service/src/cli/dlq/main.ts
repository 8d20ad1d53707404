/**
 * `pnpm dlq`: re-drives dead letters to their source topic. Documented in the service's README
 * ("Re-driving dead letters"); `pnpm dlq --help` lists the options.
 */
import { ConfigError, loadConfig } from '@kafka-ref/service-kit/config'
import { ConsumerGroups, namespaced, Topics } from '@kafka-ref/shared-contracts'
import { envSchema } from '../../config.ts'
import { DlqError } from './kafka-calls.ts'
import { type CliOptions, COMMAND, HELP, parseOptions, UsageError } from './options.ts'
import { redrive } from './redrive.ts'
import { formatReport, reportJson } from './report.ts'

/** What the command reads from the environment: the service's own variables, the Kafka ones only. */
const dlqEnv = envSchema.pick({
  KAFKA_BROKERS: true,
  KAFKA_TOPIC_NAMESPACE: true,
  KAFKA_CLIENT_ID: true,
  KAFKA_MESSAGE_MAX_BYTES: true,
})

async function run(options: CliOptions): Promise<void> {
  const env = loadConfig(dlqEnv, process.env)
  const namespace = env.KAFKA_TOPIC_NAMESPACE
  const context = {
    dryRun: options.dryRun,
    topic: namespaced(Topics.userRegisterDeadLetter, namespace),
    group: options.group ?? namespaced(ConsumerGroups.deadLetterRedrive, namespace),
  }
  const report = await redrive({
    ...options,
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    maxMessageBytes: env.KAFKA_MESSAGE_MAX_BYTES,
    deadLetterTopic: context.topic,
    sourceTopic: namespaced(Topics.userRegister, namespace),
    group: context.group,
    progress: (line) => console.error(`${COMMAND}: ${line}`),
  })
  if (options.json) console.log(JSON.stringify(reportJson(report, context)))
  else console.log(formatReport(report, options))
  const mode = options.dryRun ? 'dry run, nothing republished or committed' : `group ${context.group}`
  // The summary goes to stderr with --json, so stdout stays one JSON document.
  const summary = `${COMMAND}: ${report.summaryLine()} (${report.read} read from ${context.topic}; ${mode})`
  if (options.json) console.error(summary)
  else console.log(summary)
}

try {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) console.log(HELP)
  else await run(options)
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${COMMAND}: ${error.message}`)
    process.exitCode = 2
  } else if (error instanceof DlqError || error instanceof ConfigError) {
    console.error(`${COMMAND}: ${error.message}`)
    process.exitCode = 1
  } else {
    console.error(error)
    process.exitCode = 1
  }
}
