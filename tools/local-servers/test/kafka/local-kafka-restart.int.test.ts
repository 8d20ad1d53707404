import { Admin, Producer, stringSerializers } from '@platformatic/kafka'
import { afterAll, describe, expect, it } from 'vitest'
import { createTopics, type LocalKafka, startKafka } from '../../src/index.ts'

// Fault tests start their own broker like this one; the shared broker must never be stopped.
describe('startKafka: own broker for fault tests', () => {
  let kafka: LocalKafka | undefined
  afterAll(async () => {
    await kafka?.stop()
  })

  const latestOffset = async (bootstrapServers: string, topic: string): Promise<bigint> => {
    const admin = new Admin({ clientId: 'restart-test', bootstrapBrokers: [bootstrapServers] })
    try {
      const [listed] = await admin.listOffsets({
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      })
      return listed!.partitions[0]!.offset
    } finally {
      await admin.close()
    }
  }

  it('keeps its data and address across kill() and stop() restarts', async () => {
    kafka = await startKafka()
    const { bootstrapServers } = kafka
    console.log(`[local-kafka] Kafka ${kafka.version} pid ${kafka.pid} at ${bootstrapServers}`)
    await createTopics(bootstrapServers, [{ name: 'restart', partitions: 1 }])

    const producer = new Producer({
      clientId: 'restart-test',
      bootstrapBrokers: [bootstrapServers],
      serializers: stringSerializers,
    })
    try {
      await producer.send({ messages: ['a', 'b', 'c'].map((value) => ({ topic: 'restart', value })) })
    } finally {
      await producer.close()
    }

    const firstPid = kafka.pid
    await kafka.kill()
    expect(kafka.pid).toBeUndefined()
    await kafka.start()
    expect(kafka.pid).not.toBe(firstPid)
    expect(kafka.bootstrapServers).toBe(bootstrapServers)
    expect(await latestOffset(bootstrapServers, 'restart')).toBe(3n)

    await kafka.stop()
    await kafka.start()
    expect(await latestOffset(bootstrapServers, 'restart')).toBe(3n)
  })
})
