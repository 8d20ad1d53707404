import { openDatabase } from '@kafka-ref/service-kit'
import { namespaced, Topics } from '@kafka-ref/shared-contracts'
import { endOffsets, waitFor, withClient } from '@kafka-ref/testkit/clients'
import {
  DEFAULT_OUTBOX_BATCH_SIZE as BATCH_SIZE,
  claimBatch,
  markPublished,
  migrations,
  type UserDatabase,
} from '@kafka-ref/user-service'
import type pg from 'pg'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import { serviceLikeProducer } from '../measurement/baseline-clients.ts'
import { interleave } from '../measurement/interleave.ts'
import { baselineRate, observe } from '../measurement/observe.ts'
import { freshDatabase, freshTopic, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure, type Sample } from '../report/figure.ts'
import { fillOutbox, type PrefillRow, prefillRows } from './outbox-prefill.ts'

const NAMESPACE = 'bench-outbox-'

/**
 * Relay rate from the rows' own `published_at`, which is `now()` of each batch's transaction, i.e.
 * the batch's start on the server clock: the rows of all batches but the last over the time
 * from the first batch's start to the last batch's start.
 */
async function relayRate(client: pg.Client): Promise<{ rate: number; published: number }> {
  const { rows } = await client.query<{ before_last: string; total: string; seconds: number }>(
    `with span as (select min(published_at) as first, max(published_at) as last from outbox)
     select (select count(*) from outbox, span where published_at < span.last) as before_last,
            (select count(*) from outbox where published_at is not null) as total,
            extract(epoch from span.last - span.first)::float8 as seconds
     from span`,
  )
  const row = rows[0]!
  return { rate: Number(row.before_last) / row.seconds, published: Number(row.total) }
}

/** How many records the topic holds (none are deleted here): the sum of its end offsets. */
async function recordsIn(ctx: BenchContext, topic: string): Promise<number> {
  return (await endOffsets(ctx.kafka.bootstrapServers, topic)).reduce((sum, end) => sum + end, 0)
}

async function relayRun(ctx: BenchContext, run: number, topic: string, rows: PrefillRow[]): Promise<Sample> {
  const databaseUrl = await freshDatabase(ctx, `bench_outbox_${run}`)
  const service = await startService(ctx, 'user-service', { databaseUrl, namespace: NAMESPACE })
  const before = await recordsIn(ctx, topic)
  try {
    return await withClient(databaseUrl, async (client) => {
      await fillOutbox(client, topic, rows)
      const watch = await observe(ctx, { processes: { 'user-service': service }, databases: [databaseUrl] })
      await waitFor(
        async () => {
          const { rows: left } = await client.query<{ n: string }>(
            'select count(*) as n from outbox where published_at is null',
          )
          return Number(left[0]!.n) === 0
        },
        { ...BENCH_WAIT, description: 'the outbox to drain' },
      )
      const observed = await watch.stop()
      const { rate, published } = await relayRate(client)
      const written = (await recordsIn(ctx, topic)) - before
      ctx.log(`  relay: ${Math.round(rate)} events/s (${published} rows, ${written} records in Kafka)`)
      return { value: rate, ...observed, extra: { recordsWritten: written } }
    })
  } finally {
    await stopService(ctx, service)
  }
}

async function producerRun(ctx: BenchContext, topic: string, rows: PrefillRow[]): Promise<Sample> {
  const producer = serviceLikeProducer(ctx.kafka.bootstrapServers)
  try {
    await producer.metadata({ topics: [topic] })
    return await baselineRate(ctx, 'raw producer', async () => {
      const started = performance.now()
      for (let index = 0; index < rows.length; index += BATCH_SIZE) {
        const batch = rows.slice(index, index + BATCH_SIZE)
        await producer.send({ messages: batch.map(({ message }) => ({ topic, ...message })) })
      }
      return rows.length / ((performance.now() - started) / 1000)
    })
  } finally {
    await producer.close()
  }
}

/**
 * The relay's database work alone: the same claim and mark statements on the same pre-filled
 * outbox, overlapped as the relay overlaps them (the next claim while the last batch is marked),
 * with no Kafka and no service. No relay can drain the outbox faster than this on this machine.
 */
async function statementsRun(ctx: BenchContext, run: number, rows: PrefillRow[]): Promise<Sample> {
  const databaseUrl = await freshDatabase(ctx, `bench_outbox_statements_${run}`)
  const db = await openDatabase<UserDatabase>({
    connectionString: databaseUrl,
    migrations,
    poolMax: 3,
    settings: { synchronous_commit: 'off' },
  })
  try {
    await withClient(databaseUrl, (client) => fillOutbox(client, 'bench.statements', rows))
    const claim = (index: number) =>
      claimBatch(db, { owner: `bench#${index}`, limit: BATCH_SIZE, leaseMs: 30_000 })
    const started = performance.now()
    let index = 0
    let batch = await claim(index)
    let done = 0
    while (batch.length > 0) {
      const owner = `bench#${index}`
      const ids = batch.map((row) => row.id)
      const [next] = await Promise.all([claim(++index), markPublished(db, owner, ids)])
      done += batch.length
      batch = next
    }
    const rate = done / ((performance.now() - started) / 1000)
    ctx.log(`  claim + mark alone: ${Math.round(rate)} rows/s`)
    return { value: rate }
  } finally {
    await db.destroy()
  }
}

/** Figure 3: the outbox relay draining a pre-filled outbox vs the same producer sending directly. */
export async function benchOutbox(ctx: BenchContext): Promise<Figure[]> {
  ctx.log(`figure 3: outbox relay, ${ctx.sizes.outboxEvents} events`)
  const topic = namespaced(Topics.userRegister, NAMESPACE)
  await freshTopic(ctx, topic)
  const rows = prefillRows(ctx.sizes.outboxEvents)
  const results = await interleave(ctx.sizes.runs, {
    baseline: () => producerRun(ctx, topic, rows),
    subject: (run) => relayRun(ctx, run, topic, rows),
    statements: (run) => statementsRun(ctx, run, rows),
  })
  const written = results.subject.map((sample) => sample.extra?.recordsWritten)
  return [
    figure(
      {
        id: '3',
        title: `Outbox relay, events/s (${ctx.sizes.outboxEvents} pre-filled rows)`,
        unit: 'events/s',
        subjectLabel: `user-service relay (OUTBOX_BATCH_SIZE ${BATCH_SIZE})`,
        baselineLabel: `@platformatic/kafka producer, same settings, batches of ${BATCH_SIZE} awaited in turn`,
        target: { kind: 'min', ratio: 0.5 },
        notes: `Kafka records written per relay run: ${written.join(', ')} for ${rows.length} rows`,
      },
      results.subject,
      results.baseline,
    ),
    figure(
      {
        id: '3b',
        title: `Outbox relay vs its own database statements alone, events/s (${ctx.sizes.outboxEvents} pre-filled rows)`,
        unit: 'events/s',
        subjectLabel: 'user-service relay (the runs of figure 3)',
        baselineLabel: `the relay's claim and mark statements only, overlapped as in the relay, no Kafka (batches of ${BATCH_SIZE})`,
        notes:
          "the database's ceiling for the relay on this machine: a claim leases each row (a new row version and its index entries), a mark publishes it (another); no send can make the relay faster than these two",
      },
      results.subject,
      results.statements,
    ),
  ]
}
