import { brokerList, envInt, loadConfig, main } from '@kafka-ref/service-kit'
import { namespaced, Topics } from '@kafka-ref/shared-contracts'
import { Admin } from '@platformatic/kafka'
import { z } from 'zod'
import { provisionedDurability, weakTopicSettings } from '../topics/topic-durability.ts'

/**
 * One-shot provisioning (docker-compose's `kafka-topics` step): creates `user_register` and its
 * dead-letter topic with the names from shared-contracts, so deployment files never spell them,
 * replicated for the cluster it finds (see `topicDurability`). Running it again is harmless; a topic
 * that exists with weaker settings is named, one line per setting (it is not changed: moving
 * replicas is an operator's decision).
 */
const env = z.object({
  KAFKA_BROKERS: brokerList(),
  KAFKA_TOPIC_NAMESPACE: z.string().default(''),
  USER_REGISTER_PARTITIONS: envInt(3, { min: 1, max: 1000 }),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).optional(),
})

main('create-topics', async () => {
  const config = loadConfig(env)
  const admin = new Admin({
    clientId: 'user-service-create-topics',
    bootstrapBrokers: [...config.KAFKA_BROKERS],
  })
  try {
    const existing = new Set(await admin.listTopics())
    const { brokers } = await admin.metadata({ topics: [] })
    const durability = provisionedDurability(brokers.size, config.KAFKA_REPLICATION_FACTOR)
    const names = [Topics.userRegister, Topics.userRegisterDeadLetter].map((topic) =>
      namespaced(topic, config.KAFKA_TOPIC_NAMESPACE),
    )
    for (const name of names) {
      if (existing.has(name)) {
        console.log(`topic ${name} exists`)
        continue
      }
      await admin.createTopics({
        topics: [name],
        partitions: config.USER_REGISTER_PARTITIONS,
        replicas: durability.replicationFactor,
        configs: [{ name: 'min.insync.replicas', value: String(durability.minInsyncReplicas) }],
      })
      console.log(
        `topic ${name} created (${config.USER_REGISTER_PARTITIONS} partitions, replication factor ${durability.replicationFactor}, min.insync.replicas=${durability.minInsyncReplicas})`,
      )
    }
    for (const line of await weakTopicSettings(admin, names)) console.warn(line)
  } finally {
    await admin.close()
  }
})
