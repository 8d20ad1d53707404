import { setTimeout as sleep } from 'node:timers/promises'
import type rdkafka from 'node-rdkafka'
import { readDeadLetter, redriveRecord } from './dead-letter.ts'
import { decide, type Filters, Outcomes } from './decide.ts'
import { type ClientOptions, DlqError } from './kafka-calls.ts'
import {
  closeReader,
  commit,
  committed,
  openReader,
  partitionCount,
  readBatch,
  watermarks,
} from './reader.ts'
import { Report } from './report.ts'
import { openRepublisher, type Republisher } from './republisher.ts'

export interface RedriveOptions extends ClientOptions {
  deadLetterTopic: string
  sourceTopic: string
  group: string
  maxMessageBytes: number
  dryRun: boolean
  filters: Filters
  cap: number
  /** Re-drive at most this many; the run stops before the next one (the cursor stays there). */
  max?: number | undefined
  /** Read only this dead-letter partition, and only offsets in this range (inclusive). */
  partition?: number | undefined
  fromOffset?: number | undefined
  toOffset?: number | undefined
  batchSize: number
  /** At most this many republishes a second. */
  rate?: number | undefined
  /** Told after each batch is committed (or, in a dry run, read). */
  progress?: (line: string) => void
}

/** A partition's stretch to read: from `start` up to (not including) `end`, the end when the run began. */
interface Stretch {
  partition: number
  start: number
  end: number
}

/** From the group's cursor (or the earliest offset kept), or --from-offset, to the end as it is now. */
async function stretches(reader: rdkafka.KafkaConsumer, options: RedriveOptions): Promise<Stretch[]> {
  const count = await partitionCount(reader, options.deadLetterTopic)
  if (options.partition !== undefined && options.partition >= count)
    throw new DlqError(`${options.deadLetterTopic} has no partition ${options.partition} (it has ${count})`)
  const partitions = options.partition === undefined ? [...Array(count).keys()] : [options.partition]
  const cursor = await committed(reader, options.deadLetterTopic, partitions)
  const result: Stretch[] = []
  for (const partition of partitions) {
    const { lowOffset, highOffset } = await watermarks(reader, options.deadLetterTopic, partition)
    const start = Math.max(lowOffset, options.fromOffset ?? cursor.get(partition) ?? lowOffset)
    const end = Math.min(highOffset, options.toOffset === undefined ? highOffset : options.toOffset + 1)
    if (start < end) result.push({ partition, start, end })
  }
  return result
}

/**
 * Reads the dead-letter topic from the command's cursor to where it ended when the run began, and
 * republishes each dead letter the filters and the cap let through to its source partition, as it
 * was sent (key, value, headers) plus the re-drive count. A batch's offsets are committed only
 * once every republish in it is acknowledged: a run killed at any point loses nothing, and what it
 * republished without committing goes again next time, a duplicate the consumer's dedup absorbs.
 * A dry run reads the same and does neither.
 */
export async function redrive(options: RedriveOptions): Promise<Report> {
  const report = new Report()
  const reader = await openReader(options, options.group)
  let republisher: Republisher | undefined
  try {
    const sourcePartitions = await partitionCount(reader, options.sourceTopic)
    const work = await stretches(reader, options)
    if (work.length === 0) return report
    if (!options.dryRun) republisher = await openRepublisher(options, options.maxMessageBytes)
    const rules = {
      filters: options.filters,
      cap: options.cap,
      sourceTopic: options.sourceTopic,
      sourcePartitions,
    }
    const ends = new Map(work.map(({ partition, end }) => [partition, end]))
    reader.assign(
      work.map(({ partition, start }) => ({ topic: options.deadLetterTopic, partition, offset: start })),
    )
    const pace = pacer(options.rate)
    let idleSince = Date.now()

    while (ends.size > 0) {
      const messages = await readBatch(reader, options.batchSize)
      if (messages.length === 0 && Date.now() - idleSince > 30_000)
        throw new DlqError(
          `no dead letters arrive from ${options.deadLetterTopic} although its end is further on`,
        )
      if (messages.length > 0) idleSince = Date.now()
      const sends: Array<Promise<void>> = []
      const next = new Map<number, number>()
      let stop = false
      for (const message of messages) {
        const end = ends.get(message.partition)
        if (end === undefined || message.offset >= end) continue
        const deadLetter = readDeadLetter(message)
        const outcome = decide(deadLetter, rules)
        if (
          outcome === Outcomes.redriven &&
          options.max !== undefined &&
          report.outcomes.redriven >= options.max
        ) {
          stop = true
          break
        }
        report.add(deadLetter, outcome)
        next.set(message.partition, message.offset + 1)
        if (message.offset + 1 >= end) ends.delete(message.partition)
        if (outcome === Outcomes.redriven && republisher) {
          await pace()
          sends.push(
            republisher.send(options.sourceTopic, deadLetter.source!.partition, redriveRecord(deadLetter)),
          )
        }
      }
      // Every send settles before any failure is reported: none is left running unawaited.
      const failed = (await Promise.allSettled(sends)).find((result) => result.status === 'rejected')
      if (failed) throw (failed as PromiseRejectedResult).reason
      if (next.size > 0 && !options.dryRun) {
        await commit(
          reader,
          [...next].map(([partition, offset]) => ({ topic: options.deadLetterTopic, partition, offset })),
        )
      }
      if (next.size > 0) {
        const at = [...next].map(([partition, offset]) => `${partition}:${offset}`).join(' ')
        options.progress?.(`${options.dryRun ? 'read' : 'committed'} to ${at} (${report.summaryLine()})`)
      }
      if (stop) break
      await dropFinished(reader, ends, options.deadLetterTopic)
    }
    return report
  } finally {
    await republisher?.close()
    await closeReader(reader)
  }
}

/** A partition whose position reached its end (its last offsets were no records) is done too. */
async function dropFinished(reader: rdkafka.KafkaConsumer, ends: Map<number, number>, topic: string) {
  if (ends.size === 0) return
  const positions = reader.position([...ends.keys()].map((partition) => ({ topic, partition })))
  for (const { partition, offset } of positions)
    if (offset >= (ends.get(partition) ?? 0)) ends.delete(partition)
}

/** Waits before each republish as long as `rate` per second requires (not at all without one). */
function pacer(rate: number | undefined): () => Promise<void> {
  if (rate === undefined) return async () => undefined
  const intervalMs = 1000 / rate
  let nextAt = Date.now()
  return async () => {
    const waitMs = nextAt - Date.now()
    nextAt = Math.max(nextAt, Date.now()) + intervalMs
    if (waitMs > 0) await sleep(waitMs)
  }
}
