import type { KafkaConsumer, TopicPartition, WatermarkOffsets } from 'node-rdkafka'

export interface PartitionLag {
  topic: string
  partition: number
  /** End offset minus the group's committed offset (the low watermark when nothing is committed). */
  lag: number
}

/**
 * Consumer lag as the broker sees it, for the partitions given: one OffsetFetch for the group's
 * committed offsets and one ListOffsets per partition for its end. Asked of the broker rather than
 * read from librdkafka's statistics, whose end offsets stop moving while a partition is paused:
 * a stuck partition is exactly when the lag must keep growing. A partition the broker does not
 * answer for within `timeoutMs` is left out.
 */
export async function partitionLag(
  consumer: KafkaConsumer,
  partitions: readonly TopicPartition[],
  timeoutMs: number,
): Promise<PartitionLag[]> {
  if (partitions.length === 0) return []
  const committed = await new Promise<Map<string, number>>((resolve, reject) =>
    consumer.committed([...partitions], timeoutMs, (error, offsets) =>
      error
        ? reject(error)
        : resolve(new Map(offsets.map((tp) => [`${tp.topic}:${tp.partition}`, tp.offset ?? -1]))),
    ),
  )
  const lags = await Promise.all(
    partitions.map(async ({ topic, partition }) => {
      const ends = await new Promise<WatermarkOffsets | undefined>((resolve) =>
        consumer.queryWatermarkOffsets(topic, partition, timeoutMs, (error, offsets) =>
          resolve(error ? undefined : offsets),
        ),
      )
      if (!ends) return undefined
      const from = committed.get(`${topic}:${partition}`) ?? -1
      return { topic, partition, lag: Math.max(0, ends.highOffset - (from >= 0 ? from : ends.lowOffset)) }
    }),
  )
  return lags.filter((lag) => lag !== undefined)
}
