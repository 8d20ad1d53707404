import { type LocalKafka, sleep, startKafka } from '@kafka-ref/local-servers'
import { DEFAULT_PARTITIONS } from '@kafka-ref/shared-contracts'
import type { ServiceProcess } from '@kafka-ref/system'
import {
  Databases,
  deliveryTimeline,
  nextStoredAfter,
  quantile,
  type SentRegistration,
  SteadyRegistrations,
  waitFor,
} from '@kafka-ref/testkit/clients'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import { freshDatabase, freshSystemTopics, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure, type Sample } from '../report/figure.ts'

/** Registrations per second while the cluster is broken: steady, well below what the system takes. */
const RATE = 50
/** Steady state measured before a rolling restart, on the same cluster and services. */
const STEADY_MS = 15_000
const CONSUMER_OFFSETS = '__consumer_offsets'

interface ClusterRun {
  load: SentRegistration[]
  db: Databases
  topic: string
}

/** One run's world on the cluster: its topics, databases and services, under steady registrations while `during` runs. */
async function underLoad(
  ctx: BenchContext,
  name: string,
  during: (load: SteadyRegistrations, topic: string) => Promise<void>,
): Promise<ClusterRun> {
  const namespace = `bench-${name}-`
  await freshSystemTopics(ctx, namespace)
  const urls = {
    userDatabaseUrl: await freshDatabase(ctx, `bench_${name.replace(/-/g, '_')}_users`),
    profileDatabaseUrl: await freshDatabase(ctx, `bench_${name.replace(/-/g, '_')}_profiles`),
  }
  const services: ServiceProcess[] = []
  const db = new Databases(urls)
  try {
    services.push(
      // Cost 4, as figure 7: at the default cost 50 registrations/s are more hashing than two cores do.
      await startService(ctx, 'user-service', {
        databaseUrl: urls.userDatabaseUrl,
        namespace,
        env: { PASSWORD_HASH_COST: '4' },
      }),
      await startService(ctx, 'profile-service', { databaseUrl: urls.profileDatabaseUrl, namespace }),
    )
    const load = new SteadyRegistrations(services[0]!.url, RATE)
    const topic = `${namespace}user_register`
    try {
      await waitFor(async () => (await db.profileCounts()).profiles >= RATE, {
        ...BENCH_WAIT,
        timeoutMs: 60_000,
        description: 'profiles flowing',
      })
      await during(load, topic)
    } finally {
      await load.stop()
    }
    const sent = load.sent
    if (sent.some((registration) => registration.status !== 201))
      throw new Error('a registration was not answered 201 while the cluster was broken')
    await db.settledProfileCounts(sent.length, 120_000)
    return { load: sent, db, topic }
  } catch (error) {
    await db.close()
    throw error
  } finally {
    for (const service of services.reverse()) await stopService(ctx, service)
  }
}

/**
 * Figure 9a, one run: the leader of a partition killed -9 under steady registrations; from the
 * kill to the first profile stored from that partition for an event registered after the kill.
 */
async function leaderFailoverRun(ctx: BenchContext, kafka: LocalKafka, run: number): Promise<Sample> {
  const partition = run % DEFAULT_PARTITIONS
  let killedAt = 0
  let killed = 0
  const result = await underLoad(ctx, `failover-${run}`, async (load, topic) => {
    killed = await kafka.leaderOf(topic, partition)
    killedAt = Date.now()
    await kafka.node(killed).kill()
    // Two seconds of registrations sent after the kill, all stored: the failover is behind us.
    await waitFor(() => load.sent.filter((sent) => sent.sentAt > killedAt + 1_000).length >= 2 * RATE, {
      ...BENCH_WAIT,
      timeoutMs: 120_000,
      description: 'registrations after the kill',
    })
  })
  try {
    const sentAt = new Map(result.load.map((sent) => [sent.userId, sent.sentAt]))
    const timeline = await deliveryTimeline(kafka.bootstrapServers, result.topic, result.db)
    const ms = nextStoredAfter(
      timeline.partitions.get(partition) ?? [],
      killedAt,
      (delivery) => (sentAt.get(delivery.userId) ?? 0) > killedAt,
    )
    if (ms === undefined) throw new Error(`no profile stored from partition ${partition} after the kill`)
    ctx.log(`  leader failover: node ${killed} (leader of partition ${partition}) killed → ${ms} ms`)
    return { value: ms / 1000, extra: { repeatedRecords: timeline.repeatedRecords } }
  } finally {
    await result.db.close()
    await kafka.node(killed).start()
    await kafka.waitForFullIsr([result.topic, CONSUMER_OFFSETS], { timeoutMs: 120_000 })
  }
}

/**
 * Figure 9b, one run: steady registrations for STEADY_MS, then every node restarted in turn
 * (SIGTERM, start, wait until every replica is in sync); end-to-end p99 (request sent → profile
 * stored) of the registrations sent during the roll, and of those sent in the steady window before.
 */
async function rollingRestartRun(
  ctx: BenchContext,
  kafka: LocalKafka,
  run: number,
): Promise<{ roll: Sample; steady: Sample }> {
  let steadyFrom = 0
  let rollFrom = 0
  let rollTo = 0
  const result = await underLoad(ctx, `rolling-${run}`, async (_load, topic) => {
    steadyFrom = Date.now()
    await sleep(STEADY_MS)
    rollFrom = Date.now()
    for (const node of kafka.nodes) {
      await node.stop()
      await node.start()
      await kafka.waitForFullIsr([topic, CONSUMER_OFFSETS], { timeoutMs: 120_000 })
    }
    rollTo = Date.now()
  })
  try {
    const timeline = await deliveryTimeline(kafka.bootstrapServers, result.topic, result.db)
    const storedAt = new Map([...timeline.partitions.values()].flat().map((d) => [d.userId, d.storedAt]))
    const p99 = (from: number, to: number) => {
      const latencies = result.load.flatMap((sent) => {
        const stored = sent.userId && storedAt.get(sent.userId)
        return stored && sent.sentAt >= from && sent.sentAt < to ? [stored - sent.sentAt] : []
      })
      return quantile(latencies, 0.99)! / 1000
    }
    const roll = p99(rollFrom, rollTo)
    const steady = p99(steadyFrom, rollFrom)
    ctx.log(
      `  rolling restart (${((rollTo - rollFrom) / 1000).toFixed(0)} s): e2e p99 ${roll} s, steady ${steady} s`,
    )
    return {
      roll: { value: roll, extra: { rollSeconds: (rollTo - rollFrom) / 1000 } },
      steady: { value: steady },
    }
  } finally {
    await result.db.close()
  }
}

/** Figure 9: the system on a local three-broker cluster (its own), production settings. */
export async function benchCluster(ctx: BenchContext): Promise<Figure[]> {
  ctx.log(`figure 9: a three-broker cluster, ${ctx.sizes.runs} run(s) each`)
  const kafka = await startKafka({ brokers: 3 })
  const own: BenchContext = { ...ctx, kafka }
  try {
    // Alternated run by run, as interleave() does for figures of one kind of result.
    const results = { failover: [] as Sample[], rolling: [] as Array<{ roll: Sample; steady: Sample }> }
    for (let run = 0; run < ctx.sizes.runs; run++) {
      results.failover.push(await leaderFailoverRun(own, kafka, run))
      results.rolling.push(await rollingRestartRun(own, kafka, run))
    }
    return [
      figure(
        {
          id: '9a',
          title:
            'Leader failover: a partition leader killed -9 → first profile from that partition of an event registered after the kill',
          unit: 's',
          subjectLabel: `3 KRaft nodes (broker.session.timeout.ms 3 s), ${RATE} registrations/s, PASSWORD_HASH_COST=4`,
          baselineLabel: 'none',
          notes:
            'the dead leader keeps its partitions until the controller fences it (the session timeout); then the producer and the consumer find the new leader. A different partition each run',
        },
        results.failover,
      ),
      figure(
        {
          id: '9b',
          title:
            'End-to-end p99 during a rolling restart of the 3 brokers, beside the steady state before it',
          unit: 's',
          subjectLabel: `registrations sent during the roll (SIGTERM, start, full ISR, next), ${RATE}/s, PASSWORD_HASH_COST=4`,
          baselineLabel: `registrations sent in the ${STEADY_MS / 1000} s before it, same cluster and services`,
        },
        results.rolling.map((pair) => pair.roll),
        results.rolling.map((pair) => pair.steady),
      ),
    ]
  } finally {
    await kafka.stop().catch(() => undefined)
  }
}
