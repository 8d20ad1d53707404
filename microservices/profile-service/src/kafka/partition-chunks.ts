import type { Message } from 'node-rdkafka'

/** The key of a partition in the consumer's maps (ownership, retries, offsets). */
export const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`

/**
 * Splits a polled batch into one chunk per partition, each in offset order as fetched, the chunks
 * in the order their partitions first appear. Order only matters within a partition: that is
 * what offsets and commits are about.
 */
export function partitionChunks(messages: readonly Message[]): Message[][] {
  const chunks = new Map<string, Message[]>()
  for (const message of messages) {
    const key = partitionKey(message.topic, message.partition)
    const chunk = chunks.get(key)
    if (chunk) chunk.push(message)
    else chunks.set(key, [message])
  }
  return [...chunks.values()]
}
