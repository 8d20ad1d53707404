import { type LocalKafka, sleep } from '@kafka-ref/local-servers'
import { deliveryTimeline, type Harness, quantile, storedOutOfOrder } from '@kafka-ref/testkit'
import { expect } from 'vitest'
import { expectEachEventOnce } from '../support/each-event-once.ts'
import { endToEndMs, RATE, roles, startUnderLoad, waitForCommittedToEnd } from './support.ts'

/** The steady state measured before the roll. */
const STEADY_MS = 10_000
/** What a rolling restart waits for before the next node: no partition short of a replica. */
const CONSUMER_OFFSETS = '__consumer_offsets'

/**
 * 3c. Every node restarted in turn (SIGTERM, start, wait until the in-sync sets are full again)
 * under steady registrations: nothing lost, no duplicate, every offset committed; end-to-end p99
 * (request sent → profile stored) during the roll printed beside the steady state's.
 */
export async function rollingRestart(harness: Harness, cluster: LocalKafka): Promise<void> {
  const { running, load } = await startUnderLoad(harness, cluster)
  const { world, db } = running
  const steadyFrom = Date.now()
  await sleep(STEADY_MS)
  const before = await roles(running)
  const rollFrom = Date.now()
  const steps: string[] = []
  /** Each node's time away: from its stop to its start's end. */
  const downtimes: number[] = []
  for (const node of cluster.nodes) {
    const stepFrom = Date.now()
    await node.stop()
    await node.start()
    downtimes.push(Date.now() - stepFrom)
    await cluster.waitForFullIsr([world.topic, world.deadLetterTopic, CONSUMER_OFFSETS], {
      timeoutMs: 120_000,
    })
    steps.push(`node ${node.id} down ${downtimes.at(-1)} ms, in sync after ${Date.now() - stepFrom} ms`)
  }
  const rollTo = Date.now()
  const sent = await load.stop()
  expect(sent.filter((registration) => registration.status !== 201)).toEqual([])

  await expectEachEventOnce(db, sent.length)
  await waitForCommittedToEnd(running)
  const timeline = await deliveryTimeline(world.brokers, world.topic, db)
  for (const deliveries of timeline.partitions.values()) expect(storedOutOfOrder(deliveries)).toEqual([])

  const steady = endToEndMs(sent, timeline, steadyFrom, rollFrom)
  const rolling = endToEndMs(sent, timeline, rollFrom, rollTo)
  // No event waited for a node to come back: each partition had another in-sync copy to lead it.
  expect(quantile(rolling, 1)).toBeLessThan(Math.min(...downtimes))
  const figure = (values: number[]) =>
    `p50 ${quantile(values, 0.5)} ms, p99 ${quantile(values, 0.99)} ms, max ${quantile(values, 1)} ms (${values.length})`
  console.log(
    `[cluster 3c] rolling restart (${steps.join(', ')}; before it ${before}), ${RATE}/s: end-to-end during the roll ${figure(rolling)}; steady state ${figure(steady)}; ${timeline.repeatedRecords} records sent twice`,
  )
}
