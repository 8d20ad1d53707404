import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTopics, type LocalKafka, repoRoot, topicReplication } from '@kafka-ref/local-servers'
import { DEFAULT_PARTITIONS, namespaced, Topics } from '@kafka-ref/shared-contracts'
import { createWorld, type Harness, jsonLines, startService, uniqueName, waitFor } from '@kafka-ref/testkit'
import { expect } from 'vitest'

/** user-service's provisioning CLI (docker-compose's `kafka-topics` step), run from its source. */
function createTopicsCli(env: Record<string, string>) {
  return promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'src/cli/create-topics.ts'],
    {
      cwd: join(repoRoot(), 'microservices', 'user-service'),
      env: { ...process.env, ...env },
    },
  )
}

/**
 * Topics from one place on a cluster: the create-topics CLI gives both topics three copies and
 * min.insync.replicas 2, and says so once every broker lists them; a topic that exists with less
 * is named (one line per topic and setting), by the CLI and by user-service when it starts.
 */
export async function provisioning(harness: Harness, cluster: LocalKafka): Promise<void> {
  const brokers = cluster.bootstrapServers
  const namespace = `${uniqueName('provision')}-`
  const created = await createTopicsCli({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_NAMESPACE: namespace })
  for (const topic of [Topics.userRegister, Topics.userRegisterDeadLetter]) {
    const name = namespaced(topic, namespace)
    expect(created.stdout).toContain(
      `topic ${name} created (3 partitions, replication factor 3, min.insync.replicas=2)`,
    )
    // Reported created only once every broker lists it: each is asked on its own, at once.
    for (const node of cluster.nodes) {
      expect(await topicReplication(node.address, name)).toEqual({
        replicas: [3, 3, 3],
        minInsyncReplicas: 2,
      })
    }
  }
  expect(created.stderr).toBe('')

  // A world whose topics were made by hand with one copy each.
  const world = await createWorld({ brokers, createTopics: false })
  const weak = { replicationFactor: 1, minInsyncReplicas: 1 }
  await createTopics(brokers, [
    { name: world.topic, partitions: DEFAULT_PARTITIONS, durability: weak },
    { name: world.deadLetterTopic, partitions: DEFAULT_PARTITIONS, durability: weak },
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
      const lines = jsonLines(userService).filter(
        (line) => line.component === 'topic-check' && line.level === 40,
      )
      return lines.length >= expected.length && lines.map((line) => line.msg)
    },
    { timeoutMs: 30_000, description: 'the start-up warnings about the weak topics' },
  )
  expect(warnings).toEqual(expected)
}
