import { sleep, startKafka } from '@kafka-ref/local-servers'
import { ConsumerGroups, DEFAULT_PARTITIONS, encode, namespaced, Topics } from '@kafka-ref/shared-contracts'
import type { ServiceProcess } from '@kafka-ref/system'
import {
  paced,
  register,
  TestProducer,
  userRegisterEvent,
  userRequests,
  waitFor,
  withClient,
} from '@kafka-ref/testkit/clients'
import type pg from 'pg'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import { interleave } from '../measurement/interleave.ts'
import { observe } from '../measurement/observe.ts'
import { formatCpu } from '../measurement/procs.ts'
import { freshDatabase, freshSystemTopics, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure, type Sample } from '../report/figure.ts'
import { summarize } from '../report/stats.ts'
import { formatChanges, watchGroup } from './recovery-group.ts'

/** Registrations made while the broker is down (the backlog). */
const BACKLOG = 200
/**
 * From the broker's stop to its start again: long enough for every client's back-off to reach its
 * cap (the relay's, librdkafka's reconnect back-off), i.e. the state any outage longer than a few
 * seconds leaves the clients in.
 */
const OUTAGE_MS = 20_000
/** profile-service's CONSUMER_SESSION_TIMEOUT_MS default: figure 7b's target is this + 2 s. */
const SESSION_TIMEOUT_MS = 10_000

const seconds = (ms: number) => (ms / 1000).toFixed(2)

async function countProfiles(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>('select count(*)::int as n from profiles')
  return rows[0]!.n
}

/** Epoch ms (PostgreSQL's clock, the same machine's) of the first and last of a set of timestamps. */
async function span(client: pg.Client, sql: string): Promise<{ first: number; last: number }> {
  const { rows } = await client.query<{ first: number; last: number }>(sql)
  return rows[0]!
}

/**
 * Figure 7a, one run: both services up and serving, the broker stopped, BACKLOG registrations
 * answered 201 into the outbox, the broker started again; from the moment it answers a metadata
 * request ("ready") to the last of the backlog's profiles stored (profiles.created_at).
 */
async function brokerRestartRun(
  ctx: BenchContext,
  run: number,
  { staticMember = false } = {},
): Promise<Sample> {
  const kafka = ctx.kafka
  // Figure 7c's runs apart from 7a's: topics, group and databases of their own.
  const variant = staticMember ? 'c' : 'a'
  const namespace = `bench-recovery-${variant}${run}-`
  await freshSystemTopics(ctx, namespace)
  const [userUrl, profileUrl] = await Promise.all([
    freshDatabase(ctx, `bench_recovery_users_${variant}${run}`),
    freshDatabase(ctx, `bench_recovery_profiles_${variant}${run}`),
  ])
  const services: ServiceProcess[] = []
  try {
    const user = await startService(ctx, 'user-service', {
      databaseUrl: userUrl,
      namespace,
      env: { PASSWORD_HASH_COST: '4' },
    })
    services.push(user)
    const profile = await startService(ctx, 'profile-service', {
      databaseUrl: profileUrl,
      namespace,
      env: staticMember ? { CONSUMER_GROUP_INSTANCE_ID: `bench-profile-${run}` } : {},
    })
    services.push(profile)
    return await withClient(userUrl, (userDb) =>
      withClient(profileUrl, async (profileDb) => {
        // One registration end to end first: the consumer holds its partitions, the producer is connected.
        const tag = `r${run}${Date.now().toString(36)}`
        if ((await register(user.url, userRequests(1, `${tag}w`)[0]!)).status !== 201)
          throw new Error('warm-up registration failed')
        await waitFor(async () => (await countProfiles(profileDb)) === 1, {
          ...BENCH_WAIT,
          timeoutMs: 60_000,
          description: 'the warm-up profile',
        })

        const stoppedAt = performance.now()
        await kafka.stop()
        const watch = await observe(ctx, { processes: { 'user-service': user, 'profile-service': profile } })
        const requests = userRequests(BACKLOG, tag)
        const statuses = await paced(
          BACKLOG,
          100,
          async (i) => (await register(user.url, requests[i]!)).status,
        )
        const failed = statuses.filter((status) => status !== 201).length
        if (failed > 0)
          throw new Error(`${failed} of ${BACKLOG} registrations failed while the broker was down`)
        // The outage lasts OUTAGE_MS whatever the registrations took: the clients' back-off state is what is measured.
        await sleep(OUTAGE_MS - (performance.now() - stoppedAt))
        const down = await watch.stop()

        await kafka.start()
        const readyAt = Date.now()
        const group = watchGroup(kafka.bootstrapServers, namespaced(ConsumerGroups.profileService, namespace))
        await waitFor(async () => (await countProfiles(profileDb)) === BACKLOG + 1, {
          ...BENCH_WAIT,
          timeoutMs: 120_000,
          intervalMs: 50,
          description: `the ${BACKLOG} profiles of the backlog`,
        })
        const changes = await group.stop()
        const groupChanges = formatChanges(changes)
        const published = await span(
          userDb,
          `select (extract(epoch from min(published_at)) * 1000)::float8 as first,
                  (extract(epoch from max(published_at)) * 1000)::float8 as last
           from outbox where key in (select id::text from users where username like '${tag}\\_%')`,
        )
        const stored = await span(
          profileDb,
          `select (extract(epoch from min(created_at)) * 1000)::float8 as first,
                  (extract(epoch from max(created_at)) * 1000)::float8 as last
           from profiles where username like '${tag}\\_%'`,
        )
        const value = (stored.last - readyAt) / 1000
        ctx.log(
          `  broker restart: all ${BACKLOG} profiles ${seconds(stored.last - readyAt)} s after the broker was ready; ` +
            `relay sent first/last ${seconds(published.first - readyAt)}/${seconds(published.last - readyAt)} s, ` +
            `first profile ${seconds(stored.first - readyAt)} s; CPU while down: ${formatCpu(down.cpu)}; ` +
            `group state/members from ready: ${groupChanges}`,
        )
        return {
          value,
          cpu: down.cpu,
          extra: {
            // When the group last changed: stable with only the live member after a rebalance, if there was one.
            groupSettledS: (changes.at(-1)?.atMs ?? Number.NaN) / 1000,
            firstPublishedS: (published.first - readyAt) / 1000,
            lastPublishedS: (published.last - readyAt) / 1000,
            firstProfileS: (stored.first - readyAt) / 1000,
          },
        }
      }),
    )
  } finally {
    // A failed run must not leave the broker down for the next one.
    await kafka.start()
    for (const service of services.reverse()) await stopService(ctx, service)
  }
}

/** The partitions a profile-service instance holds, from its readiness report. */
async function partitionsOf(instance: ServiceProcess): Promise<number[]> {
  const response = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(2_000) })
  const body = (await response.json()) as { checks: { consumer: { partitions: number[] } } }
  return body.checks.consumer.partitions
}

/**
 * Figure 7b, one run: two profile-service instances in one group, each holding partitions; the
 * first is killed -9 and one fresh event is produced to every partition at once. From the kill to
 * the last of the events on the dead instance's partitions stored by the survivor.
 */
async function takeoverRun(ctx: BenchContext, run: number): Promise<Sample> {
  const namespace = `bench-recovery-b${run}-`
  const topic = namespaced(Topics.userRegister, namespace)
  await freshSystemTopics(ctx, namespace)
  const profileUrl = await freshDatabase(ctx, `bench_recovery_takeover_${run}`)
  const start = (label: string) =>
    startService(ctx, 'profile-service', { databaseUrl: profileUrl, namespace, label })
  const first = await start('profile-service#1')
  const instances = [first]
  const producer = await TestProducer.connect(ctx.kafka.bootstrapServers, {
    config: { 'enable.idempotence': true },
  })
  try {
    await waitFor(async () => (await partitionsOf(first)).length === DEFAULT_PARTITIONS, {
      ...BENCH_WAIT,
      timeoutMs: 60_000,
      description: 'the first instance holding every partition',
    })
    const second = await start('profile-service#2')
    instances.push(second)
    let held: number[] = []
    await waitFor(
      async () => {
        const [a, b] = [await partitionsOf(first), await partitionsOf(second)]
        held = a
        return a.length > 0 && b.length > 0 && a.length + b.length === DEFAULT_PARTITIONS
      },
      { ...BENCH_WAIT, timeoutMs: 60_000, description: 'both instances holding partitions' },
    )
    return await withClient(profileUrl, async (profileDb) => {
      const tag = `k${run}${Date.now().toString(36)}`
      const watch = await observe(ctx, { processes: { 'profile-service#2': second } })
      const killedAt = Date.now()
      await first.kill()
      const events = Array.from({ length: DEFAULT_PARTITIONS }, (_, partition) =>
        userRegisterEvent(tag, partition),
      )
      await Promise.all(
        events.map((event, partition) => producer.send(topic, { ...encode(event), partition })),
      )
      const storedAt = new Map<number, number>()
      await waitFor(
        async () => {
          const { rows } = await profileDb.query<{ username: string; ms: number }>(
            `select username, (extract(epoch from created_at) * 1000)::float8 as ms
             from profiles where username like $1`,
            [`${tag}\\_%`],
          )
          for (const row of rows) storedAt.set(Number(row.username.split('_').at(-1)), row.ms)
          return storedAt.size === DEFAULT_PARTITIONS
        },
        {
          ...BENCH_WAIT,
          timeoutMs: 120_000,
          intervalMs: 50,
          description: 'an event on every partition stored',
        },
      )
      const { cpu } = await watch.stop()
      const after = (partition: number) => storedAt.get(partition)! - killedAt
      const value = Math.max(...held.map(after)) / 1000
      const kept = [...Array(DEFAULT_PARTITIONS).keys()].filter((partition) => !held.includes(partition))
      ctx.log(
        `  takeover: partitions ${held.join(',')} of the killed instance served again ${seconds(value * 1000)} s after the kill ` +
          `(the survivor's own ${kept.join(',')}: ${kept.map((p) => seconds(after(p))).join(', ')} s)`,
      )
      return { value, cpu, extra: { heldPartitions: held.length } }
    })
  } finally {
    await producer.close()
    // The killed one is gone: stopping it would report its SIGKILL as an unclean exit.
    for (const instance of instances.reverse()) if (instance.running) await stopService(ctx, instance)
  }
}

/** Figure 7: recovery after a broker restart (7a) and after a profile-service kill -9 (7b). */
export async function benchRecovery(ctx: BenchContext): Promise<Figure[]> {
  ctx.log(`figure 7: recovery, ${ctx.sizes.runs} run(s) each`)
  // Its own broker: 7a stops and starts it, which the other figures' broker must not suffer.
  const kafka = await startKafka()
  const own: BenchContext = { ...ctx, kafka }
  try {
    const results = await interleave(ctx.sizes.runs, {
      restart: (run) => brokerRestartRun(own, run),
      restartStatic: (run) => brokerRestartRun(own, run, { staticMember: true }),
      takeover: (run) => takeoverRun(own, run),
    })
    const leg = (name: string, samples = results.restart) =>
      seconds(summarize(samples.map((sample) => sample.extra?.[name] ?? Number.NaN)).median * 1000)
    return [
      figure(
        {
          id: '7a',
          title: `Broker restart, ${BACKLOG} registrations in the outbox: broker ready → all profiles stored`,
          unit: 's',
          subjectLabel: 'user-service + profile-service, production settings',
          baselineLabel: 'none: an absolute target',
          target: { kind: 'at-most', value: 5 },
          notes:
            `broker stopped (SIGTERM) for ${OUTAGE_MS / 1000} s, ${BACKLOG} registrations answered 201 meanwhile; ` +
            `"ready" = the restarted broker answers a metadata request. Medians from ready: relay's first send ${leg('firstPublishedS')} s, ` +
            `last ${leg('lastPublishedS')} s, first profile ${leg('firstProfileS')} s; the group settled (stable, one member) ${leg('groupSettledS')} s. ` +
            "The outage outlasts the consumer's session timeout, so it rejoins as a new member and the broker waits for the old one, restored from before the outage, to expire. CPU is of the outage (broker down)",
        },
        results.restart,
      ),
      figure(
        {
          id: '7c',
          title: `Broker restart as 7a, profile-service a static group member: broker ready → all profiles stored`,
          unit: 's',
          subjectLabel: 'as 7a, with CONSUMER_GROUP_INSTANCE_ID set (opt-in)',
          baselineLabel: 'none: an absolute target',
          target: { kind: 'at-most', value: 5 },
          notes:
            `the same outage and backlog as 7a. Medians from ready: relay's first send ${leg('firstPublishedS', results.restartStatic)} s, ` +
            `first profile ${leg('firstProfileS', results.restartStatic)} s; the group settled ${leg('groupSettledS', results.restartStatic)} s. ` +
            'The group keeps a static member through the outage, so no rebalance waits for an old member to expire',
        },
        results.restartStatic,
      ),
      figure(
        {
          id: '7b',
          title: 'profile-service kill -9: kill → its partitions served again by the other instance',
          unit: 's',
          subjectLabel: 'two instances in one group; the survivor takes over',
          baselineLabel: 'none: an absolute target',
          target: { kind: 'at-most', value: (SESSION_TIMEOUT_MS + 2_000) / 1000 },
          notes: `CONSUMER_SESSION_TIMEOUT_MS ${SESSION_TIMEOUT_MS} ms (the default); one event produced to every partition right after the kill; the figure is the last of those on the killed instance's partitions stored`,
        },
        results.takeover,
      ),
    ]
  } finally {
    await kafka.stop().catch(() => undefined)
  }
}
