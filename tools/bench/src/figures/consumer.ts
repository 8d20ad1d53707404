import { sleep } from '@kafka-ref/local-servers'
import { namespaced, Topics } from '@kafka-ref/shared-contracts'
import { waitFor, withClient } from '@kafka-ref/testkit/clients'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import {
  connectRawConsumer,
  consumeBatches,
  consumeDurably,
  fillTopic,
  migrateProfileDatabase,
  SERVICE_CONSUMER,
  userRegisterMessages,
} from '../measurement/baseline-clients.ts'
import { interleave } from '../measurement/interleave.ts'
import { baselineRate, observe } from '../measurement/observe.ts'
import { freshDatabase, freshSystemTopics, startService, stopService } from '../measurement/services.ts'
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

async function durableRun(ctx: BenchContext, run: number, count: number): Promise<Sample> {
  const topic = namespaced(Topics.userRegister, namespace(run))
  const databaseUrl = await freshDatabase(ctx, `bench_consumer_durable_${run}`)
  await migrateProfileDatabase(databaseUrl)
  return baselineRate(ctx, 'minimal durable consumer', async () => {
    let first = 0
    let last = 0
    let received = 0
    await consumeDurably(
      ctx.kafka.bootstrapServers,
      `bench-durable-consumer-${run}`,
      topic,
      databaseUrl,
      count,
      (messages) => {
        // As the service's figure: first to last stored, here as each batch's COMMIT returned.
        last = performance.now()
        if (received === 0) first = last
        received += messages.length
      },
    )
    return (received - 1) / ((last - first) / 1000)
  })
}

/**
 * Figure 4: profile-service over a pre-filled topic, (a) vs a raw node-rdkafka consumer doing no
 * work, (b) vs a minimal program doing the same durable writes without any framework.
 */
export async function benchConsumer(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.sizes.consumerEvents
  const { batchSize } = SERVICE_CONSUMER
  ctx.log(`figure 4: consumer, ${count} pre-filled events per run`)
  const messages = userRegisterMessages(count, `c${Date.now().toString(36)}`)
  for (let run = 0; run < ctx.sizes.runs; run++) {
    await freshSystemTopics(ctx, namespace(run))
    const topic = namespaced(Topics.userRegister, namespace(run))
    await fillTopic(ctx.kafka.bootstrapServers, topic, messages)
  }
  const results = await interleave(ctx.sizes.runs, {
    baseline: (run) => rawRun(ctx, run, count),
    durable: (run) => durableRun(ctx, run, count),
    subject: (run) => serviceRun(ctx, run, count),
  })
  const title = `Consumer, events/s (${count} pre-filled events, 3 partitions)`
  const subjectLabel = `profile-service (CONSUMER_BATCH_SIZE ${batchSize}), fresh group`
  const notes = `profile-service committed ${results.subject.map((sample) => sample.extra?.transactionsPerEvent).join(', ')} PostgreSQL transactions per event (pg_stat_database)`
  return [
    figure(
      {
        id: '4a',
        title,
        unit: 'events/s',
        subjectLabel,
        baselineLabel: `node-rdkafka consume(${batchSize}), same settings, no work`,
        target: { kind: 'min', ratio: 0.5 },
        notes,
      },
      results.subject,
      results.baseline,
    ),
    figure(
      {
        id: '4b',
        title: `${title}, vs the same durable writes without a framework`,
        unit: 'events/s',
        subjectLabel,
        baselineLabel: `node-rdkafka consume(${batchSize}), same settings, JSON.parse; per batch one transaction on one connection: processed_events insert, profiles upsert, pg_notify (one multi-row unnest statement each); offsets committed after COMMIT`,
        target: { kind: 'min', ratio: 0.8 },
      },
      results.subject,
      results.durable,
    ),
  ]
}
