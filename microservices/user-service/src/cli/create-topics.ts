import { brokerList, envInt, loadConfig, main } from '@kafka-ref/service-kit'
import { DEFAULT_PARTITIONS, systemTopics } from '@kafka-ref/shared-contracts'
import { Admin } from '@platformatic/kafka'
import { z } from 'zod'

/**
 * One-shot provisioning (docker-compose's `kafka-topics` step): creates `user_register` and its
 * dead-letter topic with the names from shared-contracts, so deployment files never spell them.
 * Running it again is harmless.
 */
const env = z.object({
  KAFKA_BROKERS: brokerList(),
  KAFKA_TOPIC_NAMESPACE: z.string().default(''),
  USER_REGISTER_PARTITIONS: envInt(DEFAULT_PARTITIONS, { min: 1, max: 1000 }),
  KAFKA_REPLICATION_FACTOR: envInt(1, { min: 1, max: 10 }),
})

main('create-topics', async () => {
  const config = loadConfig(env)
  const admin = new Admin({
    clientId: 'user-service-create-topics',
    bootstrapBrokers: [...config.KAFKA_BROKERS],
  })
  try {
    const existing = new Set(await admin.listTopics())
    const topics = systemTopics(config.KAFKA_TOPIC_NAMESPACE, config.USER_REGISTER_PARTITIONS)
    for (const { name, partitions } of Object.values(topics)) {
      if (existing.has(name)) {
        console.log(`topic ${name} exists`)
        continue
      }
      await admin.createTopics({
        topics: [name],
        partitions,
        replicas: config.KAFKA_REPLICATION_FACTOR,
      })
      console.log(`topic ${name} created (${partitions} partitions)`)
    }
  } finally {
    await admin.close()
  }
})
