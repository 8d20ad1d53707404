import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { namespaced, Topics } from '@kafka-ref/shared-contracts'
import { testKafkaBrokers, uniqueName } from '@kafka-ref/testkit'
import { Admin } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const serviceDir = fileURLToPath(new URL('../..', import.meta.url))

function createTopics(env: Record<string, string>) {
  return run(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli/create-topics.ts'], {
    cwd: serviceDir,
    env: { ...process.env, ...env },
  })
}

describe('create-topics CLI', () => {
  it('creates both topics with the contracts names, and is harmless to run again', async () => {
    const namespace = `${uniqueName('topics')}.`
    const env = {
      KAFKA_BROKERS: testKafkaBrokers(),
      KAFKA_TOPIC_NAMESPACE: namespace,
      USER_REGISTER_PARTITIONS: '2',
    }
    const names = [Topics.userRegister, Topics.userRegisterDeadLetter].map((topic) =>
      namespaced(topic, namespace),
    )

    // The shared test broker is a single one: one copy, one in sync (see the cluster tests for three).
    expect((await createTopics(env)).stdout).toContain(
      `topic ${names[0]} created (2 partitions, replication factor 1, min.insync.replicas=1)`,
    )
    expect((await createTopics(env)).stdout).toContain(`topic ${names[1]} exists`)

    const admin = new Admin({ clientId: 'create-topics-test', bootstrapBrokers: [testKafkaBrokers()] })
    try {
      const metadata = await admin.metadata({ topics: names })
      expect(names.map((name) => metadata.topics.get(name)?.partitions.length)).toEqual([2, 2])
    } finally {
      await admin.close()
    }
  })

  it('stops with one line naming a bad variable', async () => {
    const failure = await createTopics({ KAFKA_BROKERS: '' }).catch(
      (error: { code: number; stderr: string }) => error,
    )
    expect(failure).toMatchObject({ code: 1 })
    expect((failure as { stderr: string }).stderr.trim()).toMatch(
      /^create-topics: Invalid configuration: KAFKA_BROKERS/,
    )
  })
})
