import { DEFAULT_PARTITIONS, namespaced, Topics } from '@kafka-ref/shared-contracts'
import { headersOf, paced, waitFor } from '@kafka-ref/testkit/clients'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import {
  connectRawConsumer,
  consumeBatches,
  serviceLikeProducer,
  userRegisterMessages,
} from '../measurement/baseline-clients.ts'
import { type Observed, observe } from '../measurement/observe.ts'
import { freshTopic } from '../measurement/services.ts'
import { percentile } from '../report/stats.ts'
import { type Latencies, toLatencies } from './e2e-latency.ts'

const SENT_AT_HEADER = 'bench_sent_at'
const INDEX_HEADER = 'bench_index'

/** The broker alone at the same rate: the service's producer settings, profile-service's consumer settings. */
export async function rawRun(ctx: BenchContext, run: number, namespace: string): Promise<Latencies> {
  const topic = namespaced(Topics.userRegister, `${namespace}raw-${run}-`)
  await freshTopic(ctx, topic)
  const brokers = ctx.kafka.bootstrapServers
  const consumer = await connectRawConsumer(brokers, `bench-e2e-raw-${run}`, topic)
  const producer = serviceLikeProducer(brokers)
  const warmUp = ctx.sizes.e2eRate // one second's worth, not measured (the system had its warm-up too)
  const total = warmUp + ctx.sizes.e2eRate * ctx.sizes.e2eSeconds
  const messages = userRegisterMessages(total, `r${run}`)
  const latencies: number[] = []
  let observed: Observed | undefined
  try {
    await producer.metadata({ topics: [topic] })
    const consuming = consumeBatches(consumer, total, (batch) => {
      const receivedAt = Date.now()
      for (const message of batch) {
        const headers = headersOf(message)
        if (Number(headers[INDEX_HEADER]) >= warmUp)
          latencies.push(receivedAt - Number(headers[SENT_AT_HEADER]))
      }
    })
    // Awaited below; until then a failure here must not become an unhandled rejection.
    consuming.catch(() => undefined)
    // Produce only once the consumer owns its partitions, as profile-service did before the run.
    await waitFor(() => consumer.assignedPartitions().length >= DEFAULT_PARTITIONS, {
      ...BENCH_WAIT,
      description: 'the raw consumer to be assigned',
    })
    const watch = await observe(ctx, { processes: {} })
    // One send at a time, as the relay does: the idempotent client rejects concurrent sends to a
    // partition (OUT_OF_ORDER_SEQUENCE_NUMBER). At this rate a send ends long before the next is due.
    await paced(
      total,
      ctx.sizes.e2eRate,
      async (index) => {
        const { key, value, headers } = messages[index]!
        const sentAt = String(Date.now())
        await producer.send({
          messages: [
            {
              topic,
              key,
              value,
              headers: { ...headers, [INDEX_HEADER]: String(index), [SENT_AT_HEADER]: sentAt },
            },
          ],
        })
      },
      { serial: true },
    )
    await consuming
    observed = await watch.stop()
  } finally {
    await producer.close()
    await consumer.close()
  }
  ctx.log(`  raw: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`)
  return toLatencies(latencies, { cpu: observed?.cpu })
}
