import { startKafka } from '@kafka-ref/local-servers'
import {
  createWorld,
  paced,
  register,
  startService,
  useHarness,
  userRequests,
  withClient,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { outboxMessage } from '../helpers.ts'

/** An outage's backlog: what every count of the unpublished rows has to read. */
const OUTBOX_ROWS = 200_000
const POLLERS = 50
const FLOOD_MS = 30_000
/** One registration a second through the flood. */
const REGISTRATIONS = FLOOD_MS / 1000
/**
 * The bound issue 22 (item 7) states for a registration while anonymous clients poll readiness and
 * metrics. A registration at the test's hash cost takes a few milliseconds when nothing else runs;
 * the bound leaves room for two shared cores busy answering the flood (the worst registration took
 * about 0.5 s here), not for polls that each count the backlog on the registrations' own pool (4.6 s
 * here before readiness and metrics were served from a snapshot).
 */
const REGISTRATION_P99_MS = 2000

interface Timed {
  ms: number
  status: number | 'error'
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

describe('readiness and metrics polled by anonymous clients during a Kafka outage', () => {
  const harness = useHarness()

  it(`keep registrations under ${REGISTRATION_P99_MS} ms (p99) with ${OUTBOX_ROWS} unpublished rows`, {
    timeout: 240_000,
  }, async () => {
    // A broker of this test's own: it is stopped, which must never happen to the shared one.
    const kafka = await startKafka()
    harness.defer(() => kafka.stop())
    const world = await createWorld({ brokers: kafka.bootstrapServers })
    const service = await startService(harness, world, 'user-service')
    await kafka.stop()
    // Rows of a real event's size (its encoded value and headers), as registrations would leave them.
    const { value, headers } = outboxMessage(world.topic)
    await withClient(world.userDatabaseUrl, (client) =>
      client.query(
        `insert into outbox (topic, key, value, headers)
         select $1, gen_random_uuid()::text, $2, $3::jsonb from generate_series(1, $4::int)`,
        [world.topic, value, JSON.stringify(headers), OUTBOX_ROWS],
      ),
    )

    // Each client polls back to back: the most a fixed number of clients can ask of the service.
    const deadline = performance.now() + FLOOD_MS
    const polls = { answered: 0, failed: 0 }
    const poll = async () => {
      while (performance.now() < deadline) {
        for (const url of [`${service.url}/health/ready`, `${service.metricsUrl}/metrics`]) {
          try {
            await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).arrayBuffer()
            polls.answered += 1
          } catch {
            polls.failed += 1
          }
        }
      }
    }
    const requests = userRequests(REGISTRATIONS)
    const timedRegistration = async (index: number): Promise<Timed> => {
      const started = performance.now()
      const status = await register(service.url, requests[index]!).then(
        (result) => result.status,
        () => 'error' as const,
      )
      return { ms: performance.now() - started, status }
    }
    const [registrations] = await Promise.all([
      paced(REGISTRATIONS, 1, timedRegistration),
      ...Array.from({ length: POLLERS }, poll),
    ])

    // The flood happened: every poller was answered many times over.
    expect(polls.answered).toBeGreaterThan(POLLERS * 10)
    expect(registrations.map((each) => each.status)).toEqual(Array(REGISTRATIONS).fill(201))
    const p99 = percentile(
      registrations.map((each) => each.ms),
      99,
    )
    expect(
      p99,
      `registration latencies (ms): ${registrations.map((each) => Math.round(each.ms))}`,
    ).toBeLessThan(REGISTRATION_P99_MS)
  })
})
