import { brokerList, envInt, loadConfig, main } from '@kafka-ref/service-kit'
import { DEFAULT_PARTITIONS, systemTopics } from '@kafka-ref/shared-contracts'
import { Admin } from '@platformatic/kafka'
import { z } from 'zod'
import { provisionedDurability, weakTopicSettings } from '../topics/topic-durability.ts'
import { waitUntilEveryBrokerLists } from '../topics/topic-visibility.ts'

/**
 * One-shot provisioning (docker-compose's `kafka-topics` step): creates `user_register` and its
 * dead-letter topic with the names from shared-contracts, so deployment files never spell them,
 * replicated for the cluster it finds (see `topicDurability`), and returns once every broker lists
 * them (so whatever starts next finds them on any broker). Running it again is harmless; a topic
 * that exists with weaker settings is named, one line per setting (it is not changed: moving
 * replicas is an operator's decision).
 */
const env = z.object({
  KAFKA_BROKERS: brokerList(),
  KAFKA_TOPIC_NAMESPACE: z.string().default(''),
  USER_REGISTER_PARTITIONS: envInt(DEFAULT_PARTITIONS, { min: 1, max: 1000 }),
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
    const topics = Object.values(systemTopics(config.KAFKA_TOPIC_NAMESPACE, config.USER_REGISTER_PARTITIONS))
    const created: string[] = []
    for (const { name, partitions } of topics) {
      if (existing.has(name)) {
        console.log(`topic ${name} exists`)
        continue
      }
      await admin.createTopics({
        topics: [name],
        partitions,
        replicas: durability.replicationFactor,
        configs: [{ name: 'min.insync.replicas', value: String(durability.minInsyncReplicas) }],
      })
      created.push(
        `topic ${name} created (${partitions} partitions, replication factor ${durability.replicationFactor}, min.insync.replicas=${durability.minInsyncReplicas})`,
      )
    }
    const names = topics.map((topic) => topic.name)
    await waitUntilEveryBrokerLists(admin, names)
    for (const line of created) console.log(line)
    for (const line of await weakTopicSettings(admin, names)) console.warn(line)
  } finally {
    await admin.close()
  }
})
