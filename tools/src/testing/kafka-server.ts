import { waitForBroker } from '../kafka/admin.ts'
import { startKafka } from '../kafka/broker.ts'
import { isToolError, ToolError } from '../util/tool-error.ts'

export interface TestServer {
  /** Address clients use: bootstrap servers for Kafka, admin URL for PostgreSQL. */
  address: string
  /** One line for the test log: what runs, which version, which pid. */
  description: string
  stop(): Promise<void>
}

/** Confluent Platform 8.1 is Apache Kafka 4.1; @testcontainers/kafka's KafkaContainer drives cp-kafka images. */
const KAFKA_IMAGE = 'confluentinc/cp-kafka:8.1.0'

export async function startTestKafka(useDocker: boolean): Promise<TestServer> {
  const fromEnv = process.env.KAFKA_BROKERS
  if (fromEnv) {
    await waitForBroker(fromEnv, { timeoutMs: 15_000 }).catch((error: Error) => {
      throw new ToolError(`KAFKA_BROKERS=${fromEnv} does not answer: ${error.message}`)
    })
    return { address: fromEnv, description: 'Kafka from KAFKA_BROKERS', stop: async () => {} }
  }

  if (useDocker) {
    const { KafkaContainer } = await import('@testcontainers/kafka')
    const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start()
    const address = `${container.getHost()}:${container.getMappedPort(9093)}`
    return {
      address,
      description: `Kafka (${KAFKA_IMAGE} container ${container.getId().slice(0, 12)})`,
      stop: async () => {
        await container.stop()
      },
    }
  }

  try {
    const kafka = await startKafka()
    return {
      address: kafka.bootstrapServers,
      description: `Kafka ${kafka.version} (kafka.Kafka JVM pid ${kafka.pid})`,
      stop: () => kafka.stop(),
    }
  } catch (error) {
    const reason = isToolError(error) ? error.message : String(error)
    throw new ToolError(
      `No Kafka for the integration tests: KAFKA_BROKERS is not set, no Docker engine answered, and the local broker failed: ${reason}`,
    )
  }
}
