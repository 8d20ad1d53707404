import { encode, systemTopics } from '@kafka-ref/shared-contracts'
import {
  createTestDatabase,
  createTestTopics,
  IN_PROCESS_APP_ENV,
  TestProducer,
  testKafkaBrokers,
  uniqueName,
  useHarness,
  userRegisterEvent,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { startApp } from '../helpers.ts'

describe('readiness', () => {
  const harness = useHarness()

  it('is ready and serves reads on an instance that holds no partition', async () => {
    // One partition, two instances: the second holds nothing (more instances than partitions).
    const brokers = testKafkaBrokers()
    const namespace = `${uniqueName('profile-ready')}.`
    const topics = systemTopics(namespace, 1)
    await createTestTopics(Object.values(topics), brokers)
    const topic = topics.userRegister.name
    const env = {
      DATABASE_URL: await createTestDatabase('profile_ready'),
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_NAMESPACE: namespace,
      LOG_LEVEL: 'silent',
      CONSUMER_POLL_TIMEOUT_MS: '200',
      ...IN_PROCESS_APP_ENV,
    }
    const first = await startApp(harness, env)
    await waitFor(() => first.consumer.assignments.length === 1, { description: 'first holds the partition' })
    const second = await startApp(harness, env)
    // Joining made the group rebalance; cooperative-sticky leaves the partition where it was.
    await waitFor(() => second.consumer.isConnected && first.consumer.assignments.length === 1, {
      description: 'second joined',
    })

    const producer = harness.track(await TestProducer.connect(brokers))
    const event = userRegisterEvent('ready', 0)
    await producer.send(topic, encode(event))
    const read = await second.inject({ url: `/profile/${event.data.userId}?waitMs=10000` })
    expect(read.statusCode).toBe(200)
    expect(second.consumer.assignments).toEqual([])

    // Readiness as refreshed since it joined.
    const ready = await waitFor(
      async () => {
        const answer = await second.inject({ url: '/health/ready' })
        return answer.json().checks.consumer.connected === true && answer
      },
      { description: 'readiness refreshed' },
    )
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks).toMatchObject({
      database: { ok: true },
      consumer: { ok: true, enabled: true, connected: true, partitions: [], paused: [] },
    })
  })
})
