import { ensureKafkaJars, KAFKA_VERSION } from '../kafka/jars.ts'
import { runCli, seconds } from './run-cli.ts'

// Downloads the broker jars into <repo>/.cache (CI runs this before the tests).
runCli(async () => {
  const started = Date.now()
  const libDir = await ensureKafkaJars()
  console.log(`Apache Kafka ${KAFKA_VERSION} jars in ${libDir} (${seconds(started)})`)
})
