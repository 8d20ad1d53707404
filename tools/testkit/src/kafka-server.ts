import { startKafka, ToolError, waitForBroker } from '@kafka-ref/local-servers'
import { chooseTestServer, type TestServer } from './test-server.ts'

/** Confluent Platform 8.1 is Apache Kafka 4.1; @testcontainers/kafka's KafkaContainer drives cp-kafka images. */
const KAFKA_IMAGE = 'confluentinc/cp-kafka:8.1.0'

export function startTestKafka(useDocker: boolean): Promise<TestServer> {
  return chooseTestServer(
    {
      name: 'Kafka',
      variable: 'KAFKA_BROKERS',
      local: 'broker',
      async given(address) {
        await waitForBroker(address, { timeoutMs: 15_000 }).catch((error: Error) => {
          throw new ToolError(`KAFKA_BROKERS=${address} does not answer: ${error.message}`)
        })
        return { address, description: 'Kafka from KAFKA_BROKERS', stop: async () => {} }
      },
      async container() {
        const { KafkaContainer } = await import('@testcontainers/kafka')
        const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start()
        return {
          address: `${container.getHost()}:${container.getMappedPort(9093)}`,
          description: `Kafka (${KAFKA_IMAGE} container ${container.getId().slice(0, 12)})`,
          stop: async () => {
            await container.stop()
          },
        }
      },
      async startLocal() {
        const kafka = await startKafka()
        return {
          address: kafka.bootstrapServers,
          description: `Kafka ${kafka.version} (kafka.Kafka JVM pid ${kafka.pid})`,
          stop: () => kafka.stop(),
        }
      },
    },
    useDocker,
  )
}
