import {
  createWorld,
  Databases,
  jsonLines,
  readTopic,
  startKafkaProxy,
  startService,
  useHarness,
  waitFor,
} from '@kafka-ref/testkit'
import { expect, it } from 'vitest'
import { startApp } from '../helpers.ts'

const harness = useHarness()

/** SHUTDOWN_TIMEOUT_MS's default: the budget the instance must stop within. */
const SHUTDOWN_BUDGET_MS = 10_000

interface OutboxState {
  published: boolean
  leaseOwner: string | null
}

it('gives its lease back within the shutdown budget while a send hangs on a broker that never answers', async () => {
  const world = await createWorld()
  const db = harness.track(new Databases(world))
  const outbox = async (): Promise<OutboxState[]> =>
    (
      await db.users.query<{ published_at: Date | null; lease_owner: string | null }>(
        'select published_at, lease_owner from outbox order by id',
      )
    ).rows.map((row) => ({ published: row.published_at !== null, leaseOwner: row.lease_owner }))

  // Instance A reaches the broker only through the proxy; once it has its metadata, the proxy
  // goes silent: connections are accepted, nothing is ever answered (a broker in a brown-out).
  const proxy = harness.track(await startKafkaProxy(world.brokers))
  const a = await startService(harness, world, 'user-service', {
    label: 'user-service#a',
    env: { KAFKA_BROKERS: proxy.address, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BUDGET_MS) },
  })
  await waitFor(
    async () => {
      const body = (await (await fetch(`${a.url}/health/ready`)).json()) as {
        checks: { outbox: { producerConnected: boolean } }
      }
      return body.checks.outbox.producerConnected
    },
    { timeoutMs: 20_000, description: 'instance A connected to the broker through the proxy' },
  )
  proxy.silence()

  const response = await fetch(`${a.url}/user/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'brown-out@example.org',
      username: 'brown_out',
      password: 'correct horse battery staple',
    }),
  })
  expect(response.status).toBe(201)
  const user = (await response.json()) as { id: string }
  // A claimed the row and is sending it: the send hangs on the silent broker.
  const [leased] = await waitFor(
    async () => {
      const rows = await outbox()
      return rows[0]?.leaseOwner ? rows : false
    },
    { timeoutMs: 10_000, description: 'instance A leased the row' },
  )
  expect(leased).toMatchObject({ published: false, leaseOwner: expect.stringContaining(`/${a.pid}/`) })

  // Instance B, straight to the broker, can publish the row once A lets go of it.
  const b = harness.track(
    await startApp({
      DATABASE_URL: world.userDatabaseUrl,
      KAFKA_BROKERS: world.brokers,
      KAFKA_TOPIC_NAMESPACE: world.namespace,
      LOG_LEVEL: 'warn',
      PASSWORD_HASH_COST: '4',
      OUTBOX_ENABLED: 'true',
      OUTBOX_POLL_INTERVAL_MS: '250',
    }),
  )

  const stopping = performance.now()
  await a.stop(SHUTDOWN_BUDGET_MS * 2)
  const exited = performance.now()
  const stopMs = exited - stopping
  console.log(`[user-service] stop during a brown-out: exited ${stopMs.toFixed(0)} ms after SIGTERM`)
  // Code 0: app.close() finished; close-with-grace's forced exit at the budget is code 1.
  expect(a.exit).toEqual({ code: 0, signal: null })
  expect(stopMs).toBeLessThan(SHUTDOWN_BUDGET_MS)
  const warnings = jsonLines(a).filter((line) => Number(line.level) >= 50)
  expect(warnings).toEqual([])

  await waitFor(async () => (await outbox())[0]?.published === true, {
    timeoutMs: 2_000,
    intervalMs: 20,
    description: 'instance B published the row within 2 s of A exiting',
  })
  console.log(
    `[user-service] the row published by B ${(performance.now() - exited).toFixed(0)} ms after A exited`,
  )
  expect(b.outboxRelay.state.published).toBe(1)
  const records = await readTopic(world.brokers, world.topic)
  expect(records.map((record) => record.key?.toString())).toEqual([user.id])
})
