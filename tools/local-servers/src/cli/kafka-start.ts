import { join } from 'node:path'
import { kafkaDataDirName, startKafka } from '../kafka/broker.ts'
import { ensureKafkaJars, kafkaJarsCached } from '../kafka/jars.ts'
import { requireJava } from '../kafka/requirements.ts'
import { repoRoot } from '../util/repo-root.ts'
import { brokersOption, portOption, runCli, seconds, stopOnSignal } from './run-cli.ts'

const cli = {
  command: 'pnpm kafka:start',
  options: { port: { type: 'string' }, brokers: { type: 'string' } },
  help: `Local Kafka in the foreground (Ctrl-C stops it); data stays in <repo>/.data/kafka (one broker)
or <repo>/.data/kafka-<N>brokers.
  --port N      the first broker's port (default KAFKA_PORT, else 9092); its controller's is N + 1
  --brokers N   nodes, each a broker and a controller (default 1); node i listens on port + 2(i-1)`,
} as const

runCli(cli, async (values) => {
  const started = Date.now()
  const port = portOption('KAFKA_PORT', 9092, values.port)
  const brokers = brokersOption(values.brokers)
  await requireJava()
  if (!(await kafkaJarsCached())) {
    console.log('Downloading the Apache Kafka jars with Maven (first start only)...')
    await ensureKafkaJars()
    console.log(`Jars ready in ${seconds(started)}`)
  }
  const kafka = await startKafka({
    brokers,
    dataDir: join(repoRoot(), '.data', kafkaDataDirName(brokers)),
    port,
    controllerPort: port + 1,
  })
  const what =
    brokers === 1
      ? `pid ${kafka.pid}`
      : `${brokers} nodes, pids ${kafka.nodes.map((node) => node.pid).join(', ')}`
  console.log(
    `Kafka ${kafka.version} ready at ${kafka.bootstrapServers} (${what}, started in ${seconds(started)})`,
  )
  console.log(`Data and logs: ${kafka.dataDir} — Ctrl-C to stop`)
  stopOnSignal(() => kafka.stop())
})
