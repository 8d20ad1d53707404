import type { Databases } from './databases.ts'
import { readTopic } from './kafka/topic-reader.ts'

/** Where one user's event went and when its profile was stored. */
export interface Delivery {
  userId: string
  partition: number
  /** Its first offset in the partition (a resend may have written it again later). */
  offset: number
  /** `profiles.created_at` in ms since the epoch; undefined when there is no profile. */
  storedAt: number | undefined
}

export interface DeliveryTimeline {
  /** By partition, in offset order of each event's first copy. */
  partitions: Map<number, Delivery[]>
  /** Records of the topic that repeat an event already in it (the producer's at-least-once). */
  repeatedRecords: number
}

/**
 * Joins the topic (each event's partition and offset; the key is the user id) with the profiles
 * table (when each profile was stored): what a failover test needs to see a partition's stall and
 * the order it was consumed in.
 */
export async function deliveryTimeline(
  brokers: string,
  topic: string,
  db: Databases,
): Promise<DeliveryTimeline> {
  const [records, stored] = await Promise.all([
    readTopic(brokers, topic, { timeoutMs: 60_000 }),
    db.profiles.query<{ id: string; at: string }>(
      'select user_id::text as id, (extract(epoch from created_at) * 1000)::bigint::text as at from profiles',
    ),
  ])
  const storedAt = new Map(stored.rows.map((row) => [row.id, Number(row.at)]))
  const partitions = new Map<number, Delivery[]>()
  const seen = new Set<string>()
  let repeatedRecords = 0
  for (const record of records) {
    const userId = String(record.key)
    if (seen.has(userId)) {
      repeatedRecords += 1
      continue
    }
    seen.add(userId)
    const list = partitions.get(record.partition) ?? []
    list.push({ userId, partition: record.partition, offset: record.offset, storedAt: storedAt.get(userId) })
    partitions.set(record.partition, list)
  }
  return { partitions, repeatedRecords }
}

/** Deliveries of a partition whose profile was stored earlier than the one before it in offset order. */
export function storedOutOfOrder(deliveries: readonly Delivery[]): Delivery[] {
  const late: Delivery[] = []
  let latest = Number.NEGATIVE_INFINITY
  for (const delivery of deliveries) {
    if (delivery.storedAt === undefined) continue
    if (delivery.storedAt < latest) late.push(delivery)
    latest = Math.max(latest, delivery.storedAt)
  }
  return late
}

/**
 * Milliseconds from `at` to the first profile stored after it from `deliveries` that `counts`
 * accepts (e.g. events registered after a broker was killed: how long new events on a partition
 * wait for its failover); undefined when none was stored after `at`.
 */
export function nextStoredAfter(
  deliveries: readonly Delivery[],
  at: number,
  counts: (delivery: Delivery) => boolean = () => true,
): number | undefined {
  let first: number | undefined
  for (const delivery of deliveries) {
    const time = delivery.storedAt
    if (time === undefined || time <= at || !counts(delivery)) continue
    first = first === undefined ? time : Math.min(first, time)
  }
  return first === undefined ? undefined : first - at
}

/** The `q` quantile (0–1) of `values`, nearest rank; undefined when there are none. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}
