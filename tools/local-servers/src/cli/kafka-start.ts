import { join } from 'node:path'
import { startKafka } from '../kafka/broker.ts'
import { ensureKafkaJars, kafkaJarsCached } from '../kafka/jars.ts'
import { requireJava } from '../kafka/requirements.ts'
import { repoRoot } from '../util/repo-root.ts'
import { portOption, runCli, seconds, stopOnSignal } from './run-cli.ts'

const cli = {
  command: 'pnpm kafka:start',
  options: { port: { type: 'string' } },
  help: `A local Kafka broker in the foreground (Ctrl-C stops it); data stays in <repo>/.data/kafka.
  --port N   the broker's port (default KAFKA_PORT, else 9092); the controller's is N + 1`,
} as const

runCli(cli, async (values) => {
  const started = Date.now()
  const port = portOption('KAFKA_PORT', 9092, values.port)
  await requireJava()
  if (!(await kafkaJarsCached())) {
    console.log('Downloading the Apache Kafka jars with Maven (first start only)...')
    await ensureKafkaJars()
    console.log(`Jars ready in ${seconds(started)}`)
  }
  const kafka = await startKafka({
    dataDir: join(repoRoot(), '.data', 'kafka'),
    port,
    controllerPort: port + 1,
  })
  console.log(
    `Kafka ${kafka.version} ready at ${kafka.bootstrapServers} (pid ${kafka.pid}, started in ${seconds(started)})`,
  )
  console.log(`Data and logs: ${kafka.dataDir} — Ctrl-C to stop`)
  stopOnSignal(() => kafka.stop())
})
