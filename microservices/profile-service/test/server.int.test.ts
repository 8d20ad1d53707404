import { randomUUID } from 'node:crypto'
import { encode } from '@kafka-ref/shared-contracts'
import {
  createWorld,
  scrapeMetrics,
  startService,
  TestProducer,
  useHarness,
  userRegisterEvent,
  waitFor,
} from '@kafka-ref/testkit'
import { expect, it } from 'vitest'

const harness = useHarness()

/** Long enough to look at the instance while it drains, on a busy machine. */
const DRAIN_DELAY_MS = 3_000

/** The answer of a request, or how its connection failed (a reset, a refusal). */
async function answer(url: string) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(20_000) })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  } catch (error) {
    return { failed: ((error as Error).cause as { code?: string } | undefined)?.code ?? String(error) }
  }
}

it('on SIGTERM reports draining, keeps serving (waited reads too), then answers waits early and exits', async () => {
  const world = await createWorld()
  const instance = await startService(harness, world, 'profile-service', {
    env: { SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS) },
  })
  const producer = harness.track(await TestProducer.connect(world.brokers))
  const url = instance.url
  await waitFor(
    async () => (await scrapeMetrics(instance)).value('kafka_ref_consumer_assigned_partitions') === 3,
    {
      timeoutMs: 30_000,
      description: 'the consumer holds every partition',
    },
  )
  // Two waited reads in flight when the stop begins: one for a profile stored during the drain,
  // one for a profile that never comes.
  const event = userRegisterEvent('drain', 0)
  const found = answer(`${url}/profile/${event.data.userId}?waitMs=10000`)
  const neverFound = answer(`${url}/profile/${randomUUID()}?waitMs=10000`)
  await waitFor(async () => (await scrapeMetrics(instance)).value('kafka_ref_profile_waiters') === 2, {
    timeoutMs: 10_000,
    description: 'both reads waiting',
  })

  const signalled = performance.now()
  process.kill(instance.pid!, 'SIGTERM')
  await waitFor(async () => (await answer(`${url}/health/ready`)).status === 503, {
    timeoutMs: 2_000,
    intervalMs: 50,
    description: 'readiness turned 503',
  })
  expect(await answer(`${url}/health/ready`)).toEqual({
    status: 503,
    body: { status: 'draining', checks: {} },
  })
  // What a balancer still sends before it notices is served: a new read, and the consumer stores.
  expect(await answer(`${url}/profile/${randomUUID()}`)).toMatchObject({
    status: 404,
    body: { code: 'PROFILE_NOT_FOUND' },
  })
  await producer.send(world.topic, encode(event))
  expect(await found).toMatchObject({ status: 200, body: { userId: event.data.userId } })
  expect(performance.now() - signalled).toBeLessThan(DRAIN_DELAY_MS)

  // At the close the other wait ends early with what it has, a documented answer, not a reset.
  expect(await neverFound).toMatchObject({ status: 404, body: { code: 'PROFILE_NOT_FOUND' } })
  const ended = performance.now() - signalled
  expect(ended).toBeGreaterThanOrEqual(DRAIN_DELAY_MS - 50)
  expect(ended).toBeLessThan(10_000)
  await waitFor(() => !instance.running, { timeoutMs: 15_000, description: 'the instance exited' })
  expect(instance.exit).toEqual({ code: 0, signal: null })
  expect(await answer(`${url}/health/live`)).toEqual({ failed: 'ECONNREFUSED' })
})
