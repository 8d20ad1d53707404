import type { ServiceProcess } from '@kafka-ref/system'
import { paced, register, waitFor } from '@kafka-ref/testkit/clients'
import type pg from 'pg'
import { BENCH_WAIT, type BenchContext } from '../context.ts'
import { registrationBodies } from '../measurement/load.ts'
import { observe } from '../measurement/observe.ts'
import { percentile } from '../report/stats.ts'
import { type Latencies, toLatencies } from './e2e-latency.ts'

/** When the relay took each user's event: `published_at` is now() of the relay's batch transaction. */
async function publishedAt(client: pg.Client, userIds: string[]) {
  const { rows } = await client.query<{ id: string; ms: number }>(
    `select key as id, (extract(epoch from published_at) * 1000)::float8 as ms
     from outbox where key = any($1::text[])`,
    [userIds],
  )
  return new Map(rows.map((row) => [row.id, row.ms]))
}

/** `created_at` of the rows whose username starts with `prefix`, in epoch ms (server clock, µs precision). */
async function createdAt(client: pg.Client, table: 'users' | 'profiles', idColumn: string, prefix: string) {
  const { rows } = await client.query<{ id: string; ms: number }>(
    `select ${idColumn} as id, (extract(epoch from created_at) * 1000)::float8 as ms
     from ${table} where username like $1`,
    [`${prefix}%`],
  )
  return new Map(rows.map((row) => [row.id, row.ms]))
}

export interface System {
  userUrl: string
  userDb: pg.Client
  profileDb: pg.Client
  services: { user: ServiceProcess; profile: ServiceProcess }
  /** Both services' databases, whose connections are sampled during a run. */
  databaseUrls: string[]
}

/**
 * Registrations at a fixed rate; the latency of each is from its commit (users.created_at, the
 * transaction's now(), as is the outbox row's) to its profile's (profiles.created_at, likewise),
 * both on the one PostgreSQL server's clock.
 */
export async function systemRun(
  ctx: BenchContext,
  system: System,
  prefix: string,
  seconds: number,
): Promise<Latencies> {
  const watch = await observe(ctx, {
    processes: { 'user-service': system.services.user, 'profile-service': system.services.profile },
    databases: system.databaseUrls,
  })
  const bodies = registrationBodies(prefix)
  let failed = 0
  await paced(seconds * ctx.sizes.e2eRate, ctx.sizes.e2eRate, async () => {
    if ((await register(system.userUrl, bodies())).status !== 201) failed++
  })
  const observed = await watch.stop()
  const users = await createdAt(system.userDb, 'users', 'id', prefix)
  await waitFor(
    async () => (await createdAt(system.profileDb, 'profiles', 'user_id', prefix)).size >= users.size,
    { ...BENCH_WAIT, timeoutMs: 60_000, description: 'every profile of the run' },
  )
  const profiles = await createdAt(system.profileDb, 'profiles', 'user_id', prefix)
  const published = await publishedAt(system.userDb, [...users.keys()])
  const latencies = [...users].map(([id, committed]) => profiles.get(id)! - committed)
  // Where the time goes: commit → relay picks the row up, and relay → profile stored.
  const relayLeg = [...users].map(([id, committed]) => published.get(id)! - committed)
  const consumerLeg = [...users].map(([id]) => profiles.get(id)! - published.get(id)!)
  const legs = {
    relayP50: percentile(relayLeg, 50),
    relayP99: percentile(relayLeg, 99),
    consumerP50: percentile(consumerLeg, 50),
    consumerP99: percentile(consumerLeg, 99),
  }
  const ms = (value: number) => value.toFixed(1)
  ctx.log(
    `  system: ${users.size} registrations (${failed} failed), p50 ${ms(percentile(latencies, 50))} ms, p99 ${ms(percentile(latencies, 99))} ms; commit→relay p50/p99 ${ms(legs.relayP50)}/${ms(legs.relayP99)} ms, relay→profile ${ms(legs.consumerP50)}/${ms(legs.consumerP99)} ms`,
  )
  return toLatencies(latencies, observed, legs)
}
