import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { namespaced, Topics } from '@kafka-ref/shared-contracts'
import { Admin, ConfigResourceTypes } from '@platformatic/kafka'
import { expect } from 'vitest'
import type { LocalKafka } from '../../../src/kafka/broker.ts'
import { createTopics } from '../../../src/kafka/topics.ts'
import {
  createWorld,
  type Harness,
  jsonLines,
  PARTITIONS,
  startService,
  uniqueName,
  waitFor,
} from '../../../src/testing/index.ts'
import { repoRoot } from '../../../src/util/repo-root.ts'

/** user-service's provisioning CLI (docker-compose's `kafka-topics` step), run from its source. */
function createTopicsCli(env: Record<string, string>) {
  return promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli/create-topics.ts'], {
    cwd: join(repoRoot(), 'microservices', 'user-service'),
    env: { ...process.env, ...env },
  })
}

/** Each partition's replica count and the topic's min.insync.replicas, as the cluster has them. */
async function durabilityOf(brokers: string, topic: string) {
  const admin = new Admin({ clientId: 'cluster-test', bootstrapBrokers: brokers.split(',') })
  try {
    const metadata = await admin.metadata({ topics: [topic] })
    const [config] = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['min.insync.replicas'] }],
    })
    return {
      replicas: metadata.topics.get(topic)?.partitions.map((partition) => partition.replicas.length),
      minInsyncReplicas: config?.configs[0]?.value,
    }
  } finally {
    await admin.close()
  }
}

/**
 * Topics from one place on a cluster: the create-topics CLI gives both topics three copies and
 * min.insync.replicas 2; a topic that exists with less is named (one line per topic and setting),
 * by the CLI and by user-service when it starts.
 */
export async function provisioning(harness: Harness, cluster: LocalKafka): Promise<void> {
  const brokers = cluster.bootstrapServers
  const namespace = `${uniqueName('provision')}-`
  const created = await createTopicsCli({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_NAMESPACE: namespace })
  for (const topic of [Topics.userRegister, Topics.userRegisterDeadLetter]) {
    const name = namespaced(topic, namespace)
    expect(created.stdout).toContain(`topic ${name} created (3 partitions, replication factor 3, min.insync.replicas=2)`)
    expect(await durabilityOf(brokers, name)).toEqual({ replicas: [3, 3, 3], minInsyncReplicas: '2' })
  }
  expect(created.stderr).toBe('')

  // A world whose topics were made by hand with one copy each.
  const world = await createWorld({ brokers, createTopics: false })
  const weak = { replicationFactor: 1, minInsyncReplicas: 1 }
  await createTopics(brokers, [
    { name: world.topic, partitions: PARTITIONS, durability: weak },
    { name: world.deadLetterTopic, partitions: PARTITIONS, durability: weak },
  ])
  const expected = [world.topic, world.deadLetterTopic].flatMap((name) => [
    `topic ${name}: replication factor 1, below 3 (the cluster has 3 brokers)`,
    `topic ${name}: min.insync.replicas=1, below 2 (an acks=all write is then acknowledged by fewer copies)`,
  ])
  const again = await createTopicsCli({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_NAMESPACE: world.namespace })
  expect(again.stderr.trim().split('\n')).toEqual(expected)

  const userService = await startService(harness, world, 'user-service')
  const warnings = await waitFor(
    () => {
      const lines = jsonLines(userService).filter((line) => line.component === 'topic-check' && line.level === 40)
      return lines.length >= expected.length && lines.map((line) => line.msg)
    },
    { timeoutMs: 30_000, description: 'the start-up warnings about the weak topics' },
  )
  expect(warnings).toEqual(expected)
}
