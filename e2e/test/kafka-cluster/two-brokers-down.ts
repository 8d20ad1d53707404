import { type LocalKafka, partitionsNotFullyInSync } from '@kafka-ref/local-servers'
import { DEFAULT_PARTITIONS } from '@kafka-ref/shared-contracts'
import {
  deliveryTimeline,
  type Harness,
  jsonLines,
  registerPaced,
  scrapeMetrics,
  userRequests,
  waitFor,
} from '@kafka-ref/testkit'
import { expect } from 'vitest'
import { expectEachEventOnce } from '../support/each-event-once.ts'
import { RATE, roles, startClusterWorld } from './support.ts'

const BEFORE = 20
const DURING = 30
/** Refused sends to see before the node comes back: enough for the back-off to reach its cap. */
const REFUSALS = 6
const RELAY_RETRY = 'publishing outbox rows failed; retrying'
/** The services' own metrics' prefix (service-kit's METRIC_PREFIX). */
const P = 'kafka_ref_'

/**
 * 3b. Two of three brokers down (one crashed and fenced, then one stopped): registrations are still
 * answered 201 and wait in the outbox; the relay's sends are refused (NOT_ENOUGH_REPLICAS: one
 * in-sync copy, two required), counted, logged once per attempt with a growing back-off, and no
 * row is given up; both services stay ready. One broker back: everything is published and
 * consumed, each event applied once.
 */
export async function twoBrokersDown(harness: Harness, cluster: LocalKafka): Promise<void> {
  const running = await startClusterWorld(harness, cluster)
  const { world, db, userService, profileService } = running
  const first = await registerPaced(userService.url, userRequests(BEFORE), RATE)
  expect(first.map((result) => result.status)).toEqual(Array(BEFORE).fill(201))
  await db.settledProfileCounts(BEFORE, 60_000)
  const before = await roles(running)

  const crashed = await cluster.leaderOf(world.topic, 0)
  const stopped = cluster.nodes.find((node) => node.id !== crashed)!.id
  await cluster.node(crashed).kill()
  // Fenced: the controller took it out of every partition's in-sync set.
  await waitFor(
    async () => (await partitionsNotFullyInSync(world.brokers, [world.topic])).length === DEFAULT_PARTITIONS,
    {
      timeoutMs: 60_000,
      description: `node ${crashed} out of the in-sync sets`,
    },
  )
  await cluster.node(stopped).stop()
  const failures = async () => {
    const value = (await scrapeMetrics(userService)).value(`${P}outbox_publish_failures_total`)
    if (value === undefined) throw new Error(`no ${P}outbox_publish_failures_total in the metrics`)
    return value
  }
  const failuresBefore = await failures()
  const linesBefore = jsonLines(userService).length

  const during = await registerPaced(userService.url, userRequests(DURING), RATE)
  expect(during.map((result) => result.status)).toEqual(Array(DURING).fill(201))
  for (const service of [userService, profileService]) {
    expect((await fetch(`${service.url}/health/ready`)).status, `${service.label} ready`).toBe(200)
  }
  await waitFor(async () => (await failures()) - failuresBefore >= REFUSALS, {
    timeoutMs: 90_000,
    intervalMs: 250,
    description: `${REFUSALS} refused sends`,
  })
  const metrics = await scrapeMetrics(userService)
  const refused = metrics.value(`${P}outbox_publish_failures_total`)! - failuresBefore
  expect(metrics.value(`${P}outbox_rows_released_total`)).toBe(0)
  expect(metrics.value(`${P}outbox_failing_rows`)).toBe(0)
  expect(await db.pendingOutbox()).toBe(DURING)
  expect((await db.profileCounts()).profiles).toBe(BEFORE)
  const retries = jsonLines(userService)
    .slice(linesBefore)
    .filter((line) => line.msg === RELAY_RETRY)
    .map((line) => ({ error: (line.error as { message?: string }).message, delayMs: line.delayMs as number }))
  // One line per refused send (no more), naming the refusal, the delay between them growing to its cap.
  expect(retries.length).toBeGreaterThanOrEqual(REFUSALS - 1)
  expect(retries.length).toBeLessThanOrEqual(refused + 1)
  expect(retries.at(-1)?.error).toMatch(/NOT_ENOUGH_REPLICAS/)
  expect(retries.at(-1)?.delayMs).toBeGreaterThanOrEqual(500)

  const backAt = Date.now()
  await cluster.node(stopped).start()
  await db.settledProfileCounts(BEFORE + DURING, 90_000)
  const recoveredMs = Date.now() - backAt
  await expectEachEventOnce(db, BEFORE + DURING)
  const timeline = await deliveryTimeline(world.brokers, world.topic, db)
  console.log(
    `[cluster 3b] at ${before}: node ${crashed} killed, node ${stopped} stopped; ${DURING} registrations answered 201 meanwhile, ${refused} sends refused (${retries.at(-1)?.error}); node ${stopped} back → all ${BEFORE + DURING} profiles ${recoveredMs} ms after its start began; ${timeline.repeatedRecords} records sent twice`,
  )
}
