import { sleep } from '@kafka-ref/local-servers'
import { waitFor } from '@kafka-ref/testkit/clients'
import { envSchema, hashPassword } from '@kafka-ref/user-service'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import { interleave } from '../measurement/interleave.ts'
import { fire, type LoadTarget, registrationBodies } from '../measurement/load.ts'
import { cpuWindow } from '../measurement/procs.ts'
import { freshDatabase, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure } from '../report/figure.ts'
import type { BareServer } from './bare-baseline.ts'
import { describeSettings, HTTP_NAMESPACE, httpSettings, measure, rps } from './http-measure.ts'

/**
 * At the production scrypt cost one hash takes most of a second of one core, so with 50
 * connections most requests would wait longer than a run lasts and keep the CPU busy into the
 * next run. 8 connections (twice libuv's 4 hashing threads) still saturate the hashing, and runs
 * twice as long give a count of a few dozen responses instead of a handful.
 */
const DEFAULT_COST_CONNECTIONS = 8
const TEST_HASH_COST = '4'

/** Figure 2: POST /user/register at the default and at the test hashing cost vs a bare POST route. */
export async function benchRegister(ctx: BenchContext, bare: BareServer): Promise<Figure[]> {
  ctx.log('figure 2: POST /user/register')
  const defaultCostDb = await freshDatabase(ctx, 'bench_http_users_default_cost')
  const testCostDb = await freshDatabase(ctx, 'bench_http_users_test_cost')
  const [defaultCost, testCost] = await Promise.all([
    startService(ctx, 'user-service', { databaseUrl: defaultCostDb, namespace: HTTP_NAMESPACE }),
    startService(ctx, 'user-service', {
      databaseUrl: testCostDb,
      namespace: HTTP_NAMESPACE,
      label: 'user-service#test-cost',
      env: { PASSWORD_HASH_COST: TEST_HASH_COST },
    }),
  ])
  const load = httpSettings(ctx)
  const slowLoad = { ...load, connections: DEFAULT_COST_CONNECTIONS, seconds: load.seconds * 2 }
  const bodies = registrationBodies(`b${Date.now().toString(36)}`)
  const register = (url: string): LoadTarget => ({
    url: `${url}/user/register`,
    method: 'POST',
    body: bodies,
  })
  try {
    await fire(register(bare.url), { ...load, seconds: 1 })
    await fire(register(testCost.url), { ...load, seconds: 1 })
    await fire(register(defaultCost.url), { ...slowLoad, seconds: 1 })
    await settle(defaultCost.pid)
    const post = await interleave(ctx.sizes.runs, {
      baseline: () => measure(ctx, register(bare.url), load, bare),
      defaultCost: async () => {
        const run = await measure(ctx, register(defaultCost.url), slowLoad, defaultCost, defaultCostDb)
        // Requests cut off at the end are still being hashed: let them finish before the next run.
        await settle(defaultCost.pid)
        return run
      },
      testCost: () => measure(ctx, register(testCost.url), load, testCost, testCostDb),
    })
    const hashMs = await timeOneHash()
    const http = describeSettings(load)
    return [
      figure(
        {
          id: '2a',
          title: 'POST /user/register, requests/s, default scrypt cost (N=2^17)',
          unit: 'req/s',
          subjectLabel: 'user-service, PASSWORD_HASH_COST=17',
          baselineLabel: 'bare Fastify POST route',
          notes: `${describeSettings(slowLoad)} (hashing-bound; see README), baseline ${http}; one scrypt hash at N=2^17, r=8 takes ${hashMs} ms of one core here`,
        },
        rps(post.defaultCost),
        rps(post.baseline),
      ),
      figure(
        {
          id: '2b',
          title: 'POST /user/register, requests/s, test scrypt cost (N=2^4)',
          unit: 'req/s',
          subjectLabel: 'user-service, PASSWORD_HASH_COST=4',
          baselineLabel: 'bare Fastify POST route',
          notes: http,
        },
        rps(post.testCost),
        rps(post.baseline),
      ),
    ]
  } finally {
    await Promise.all([stopService(ctx, defaultCost), stopService(ctx, testCost)])
  }
}

/** The price of the default cost, measured alone: one hash by user-service's own function. */
async function timeOneHash(): Promise<number> {
  const started = performance.now()
  await hashPassword('correct horse battery staple', envSchema.shape.PASSWORD_HASH_COST.parse(undefined))
  return Math.round(performance.now() - started)
}

/**
 * Waits until the service is idle: the requests cut off at the end of a run are still being
 * hashed (seconds each at the default cost) and would otherwise steal the CPU of the next run.
 */
async function settle(pid: number | undefined): Promise<void> {
  await waitFor(
    async () => {
      const window = cpuWindow([{ name: 'service', pid }])
      await sleep(500)
      return (window.stop().service?.total ?? 0) < 5
    },
    {
      ...BENCH_WAIT,
      timeoutMs: 120_000,
      intervalMs: 0,
      description: 'the user-service to finish its pending registrations',
    },
  )
}
