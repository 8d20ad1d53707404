import { type LocalKafka, startKafka } from '@kafka-ref/local-servers'
import { afterAll, beforeAll, beforeEach } from 'vitest'

/**
 * A local Kafka cluster of `brokers` nodes for the calling test file: started once before its first
 * test (three JVMs take a while on two cores), stopped after the last; before each test every node
 * a previous test left down is started again, so each test begins with the whole cluster. The
 * shared single test broker is never touched.
 */
export function useKafkaCluster(brokers = 3): () => LocalKafka {
  let cluster: LocalKafka | undefined
  beforeAll(async () => {
    cluster = await startKafka({ brokers })
    console.log(`[kafka-cluster] ${brokers} nodes at ${cluster.bootstrapServers}`)
  }, 180_000)
  afterAll(async () => {
    await cluster?.stop()
  })
  beforeEach(async () => {
    await cluster?.start()
  }, 180_000)
  return () => {
    if (!cluster) throw new Error('the Kafka cluster did not start (see beforeAll)')
    return cluster
  }
}
