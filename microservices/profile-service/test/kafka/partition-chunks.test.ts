import type { Message } from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { partitionChunks } from '../../src/kafka/partition-chunks.ts'

const message = (partition: number, offset: number, topic = 't') =>
  ({ topic, partition, offset, value: null, size: 0 }) as unknown as Message

describe('partitionChunks', () => {
  it('groups by topic and partition, keeping the fetched order within each', () => {
    const batch = [message(1, 5), message(0, 7), message(1, 6), message(0, 8), message(1, 7, 'u')]
    const chunks = partitionChunks(batch)
    expect(chunks.map((chunk) => chunk.map((m) => `${m.topic}/${m.partition}@${m.offset}`))).toEqual([
      ['t/1@5', 't/1@6'],
      ['t/0@7', 't/0@8'],
      ['u/1@7'],
    ])
  })

  it('gives no chunk for an empty batch', () => {
    expect(partitionChunks([])).toEqual([])
  })
})
