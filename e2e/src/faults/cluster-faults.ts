import { type KafkaNode, partitionsNotFullyInSync, sleep } from '@kafka-ref/local-servers'
import { TestProducer, waitFor } from '@kafka-ref/testkit/clients'
import type { Random } from './random.ts'
import type { FaultWorld } from './world.ts'

/** What a fault run on a cluster adds to the random menu, one broker down at a time. */
export const CLUSTER_FAULT_KINDS = [
  'kill -9 a random broker',
  'kill -9 the active controller',
  'kill -9 a partition leader',
  'stop a broker for a few seconds',
  'rolling restart of the brokers',
] as const

/** The one deliberate step with two brokers down: once per cluster run, never picked at random. */
export const TWO_BROKERS_DOWN = 'two brokers down (writes refused)' as const

export type ClusterFaultKind = (typeof CLUSTER_FAULT_KINDS)[number] | typeof TWO_BROKERS_DOWN

/** What the two-brokers-down step saw. */
export interface TwoDownFigures {
  /** Why the probe write failed while two were down (librdkafka's reason); undefined if it was accepted. */
  refusal: string | undefined
  /** From the first broker's start to a probe write acknowledged again. */
  writableAgainMs: number
}

/** How long a probe write may wait: refused or not acknowledged within it counts as refused. */
const PROBE_TIMEOUT_MS = 5_000

/** Brings `node` back and waits until every partition (the system's and the group offsets') is fully in sync. */
async function restore(world: FaultWorld, node: KafkaNode): Promise<void> {
  await node.start()
  await world.kafka.waitForFullIsr(world.replicatedTopics, { timeoutMs: 120_000 })
}

async function crash(world: FaultWorld, node: KafkaNode, downMs: number): Promise<void> {
  await node.kill()
  await sleep(downMs)
  await restore(world, node)
}

/**
 * Breaks what a cluster fault names and restores it: the node is back and every replica in sync
 * before it resolves, so the next fault never finds a second broker effectively missing.
 */
export async function injectClusterFault(
  world: FaultWorld,
  kind: (typeof CLUSTER_FAULT_KINDS)[number],
  downMs: number,
  random: Random,
): Promise<void> {
  const kafka = world.kafka
  switch (kind) {
    case 'kill -9 a random broker':
      return crash(world, random.pick(kafka.nodes), downMs)
    case 'kill -9 the active controller':
      return crash(world, kafka.node(await kafka.activeController()), downMs)
    case 'kill -9 a partition leader': {
      const partition = random.int(0, world.topics.userRegister.partitions - 1)
      return crash(world, kafka.node(await kafka.leaderOf(world.topic, partition)), downMs)
    }
    case 'stop a broker for a few seconds': {
      const node = random.pick(kafka.nodes)
      await node.stop()
      await sleep(downMs)
      return restore(world, node)
    }
    case 'rolling restart of the brokers':
      for (const node of kafka.nodes) {
        await node.stop()
        await restore(world, node)
      }
  }
}

/** Sends one record to the world's probe topic (as replicated as the system's); rejects if not acknowledged in time. */
async function probeWrite(producer: TestProducer, world: FaultWorld): Promise<void> {
  await producer.send(world.probeTopic, { value: `probe ${Date.now()}`, key: 'probe' })
}

/**
 * Two of three brokers down: one crashed (kill -9, until the controller fenced it), one stopped.
 * A write needing two in-sync copies must be refused; then one broker comes back and writes must
 * be accepted again, then the other, and every replica catches up.
 */
export async function twoBrokersDown(
  world: FaultWorld,
  downMs: number,
  random: Random,
): Promise<TwoDownFigures> {
  const kafka = world.kafka
  const crashed = random.pick(kafka.nodes)
  const stopped = random.pick(kafka.nodes.filter((node) => node !== crashed))
  const producer = await TestProducer.connect(world.brokers, {
    // No retries: the broker's own refusal (not enough in-sync replicas) is the answer, not a timeout.
    config: { 'message.send.max.retries': 0 },
    topicConfig: { 'message.timeout.ms': PROBE_TIMEOUT_MS },
  })
  try {
    await crashed.kill()
    // Fenced: out of the in-sync sets, so the next step leaves exactly one copy in sync.
    await waitFor(
      async () =>
        (await partitionsNotFullyInSync(world.brokers, [world.probeTopic])).length ===
        world.topics.userRegister.partitions,
      { timeoutMs: 60_000, intervalMs: 200, description: `node ${crashed.id} fenced` },
    )
    await stopped.stop()
    const refusal = await probeWrite(producer, world).then(
      () => undefined,
      (error: Error) => error.message,
    )
    await sleep(downMs)
    const backAt = Date.now()
    await stopped.start()
    await waitFor(() => probeWrite(producer, world).then(() => true), {
      timeoutMs: 90_000,
      intervalMs: 0,
      description: 'a write acknowledged with one broker back',
    })
    const writableAgainMs = Date.now() - backAt
    await restore(world, crashed)
    return { refusal, writableAgainMs }
  } finally {
    await producer.close()
  }
}
