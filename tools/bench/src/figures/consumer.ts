import { namespaced, Topics } from '@kafka-ref/shared-contracts'
import { withClient } from '@kafka-ref/tools/testing/databases'
import { waitFor } from '@kafka-ref/tools/testing/wait-for'
import { sleep } from '@kafka-ref/tools/util/sleep'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import {
  connectRawConsumer,
  consumeBatches,
  fillTopic,
  userRegisterMessages,
} from '../measurement/baseline-clients.ts'
import { interleave } from '../measurement/interleave.ts'
import { baselineRate, observe } from '../measurement/observe.ts'
import { freshDatabase, freshTopic, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure, type Sample } from '../report/figure.ts'

/** Each run gets its own namespace: its own pre-filled topic and, for the service, a fresh group. */
const namespace = (run: number) => `bench-consumer-${run}-`

async function serviceRun(ctx: BenchContext, run: number, count: number): Promise<Sample> {
  const databaseUrl = await freshDatabase(ctx, `bench_consumer_${run}`)
  return withClient(databaseUrl, async (client) => {
    let polls = 0
    const profiles = async () => {
      polls++
      const { rows } = await client.query<{ n: string }>('select count(*) as n from profiles')
      return Number(rows[0]!.n)
    }
    const commits = async () => {
      const { rows } = await client.query<{ n: string }>(
        'select xact_commit as n from pg_stat_database where datname = current_database()',
      )
      return Number(rows[0]!.n)
    }
    const commitsBefore = await commits()
    const service = await startService(ctx, 'profile-service', { databaseUrl, namespace: namespace(run) })
    try {
      // Ready means partitions assigned, so consuming has just begun; start-up CPU stays out.
      const watch = await observe(ctx, {
        processes: { 'profile-service': service },
        databases: [databaseUrl],
      })
      await waitFor(async () => (await profiles()) >= count, {
        ...BENCH_WAIT,
        description: 'profile-service to store every profile',
      })
      const observed = await watch.stop()
      // created_at is now() of each event's transaction: first to last stored event, server clock.
      const { rows } = await client.query<{ n: string; seconds: number }>(
        `select count(*) as n, extract(epoch from max(created_at) - min(created_at))::float8 as seconds
         from profiles`,
      )
      const stored = Number(rows[0]!.n)
      const rate = (stored - 1) / rows[0]!.seconds
      // Backends report their counters when idle (up to a second later): wait, then count the
      // service's transactions per event, without this function's own queries.
      await sleep(1500)
      const transactions = (await commits()) - commitsBefore - polls - 2
      const perEvent = Math.round((transactions / stored) * 100) / 100
      ctx.log(`  profile-service: ${Math.round(rate)} events/s, ${perEvent} transactions per event`)
      return { value: rate, ...observed, extra: { transactionsPerEvent: perEvent } }
    } finally {
      await stopService(ctx, service)
    }
  })
}

async function rawRun(ctx: BenchContext, run: number, count: number): Promise<Sample> {
  const topic = namespaced(Topics.userRegister, namespace(run))
  const consumer = await connectRawConsumer(ctx.kafka.bootstrapServers, `bench-raw-consumer-${run}`, topic)
  try {
    return await baselineRate(ctx, 'raw consumer', async () => {
      let first = 0
      let last = 0
      let received = 0
      await consumeBatches(consumer, count, (messages) => {
        // Same rule as the service's figure: from the first message to the last one.
        last = performance.now()
        if (received === 0) first = last
        received += messages.length
      })
      return (received - 1) / ((last - first) / 1000)
    })
  } finally {
    await consumer.close()
  }
}

/** Figure 4: profile-service over a pre-filled topic vs a raw node-rdkafka consumer doing no work. */
export async function benchConsumer(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.sizes.consumerEvents
  ctx.log(`figure 4: consumer, ${count} pre-filled events per run`)
  const messages = userRegisterMessages(count, `c${Date.now().toString(36)}`)
  for (let run = 0; run < ctx.sizes.runs; run++) {
    const topic = namespaced(Topics.userRegister, namespace(run))
    await freshTopic(ctx, topic)
    await freshTopic(ctx, namespaced(Topics.userRegisterDeadLetter, namespace(run)))
    await fillTopic(ctx.kafka.bootstrapServers, topic, messages)
  }
  const results = await interleave(ctx.sizes.runs, {
    baseline: (run) => rawRun(ctx, run, count),
    subject: (run) => serviceRun(ctx, run, count),
  })
  return [
    figure(
      {
        id: '4',
        title: `Consumer, events/s (${count} pre-filled events, 3 partitions)`,
        unit: 'events/s',
        subjectLabel: 'profile-service (CONSUMER_BATCH_SIZE 100), fresh group',
        baselineLabel: 'node-rdkafka consume(100), same settings, no work',
        target: { kind: 'min', ratio: 0.5 },
        notes: `profile-service committed ${results.subject.map((sample) => sample.extra?.transactionsPerEvent).join(', ')} PostgreSQL transactions per event (pg_stat_database)`,
      },
      results.subject,
      results.baseline,
    ),
  ]
}
