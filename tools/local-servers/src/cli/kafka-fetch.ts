import { ensureKafkaJars, KAFKA_VERSION } from '../kafka/jars.ts'
import { runCli, seconds } from './run-cli.ts'

const cli = {
  command: 'pnpm kafka:fetch',
  options: {},
  help: 'Downloads the broker jars into <repo>/.cache with Maven (CI runs this before the tests).',
} as const

runCli(cli, async () => {
  const started = Date.now()
  const libDir = await ensureKafkaJars()
  console.log(`Apache Kafka ${KAFKA_VERSION} jars in ${libDir} (${seconds(started)})`)
})
