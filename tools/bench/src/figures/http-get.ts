import { randomUUID } from 'node:crypto'
import { type ProfileResponse, ProfileResponse as ProfileSchema } from '@kafka-ref/shared-contracts'
import type { ServiceProcess } from '@kafka-ref/tools/system/service-process'
import { withClient } from '@kafka-ref/tools/testing/databases'
import type { BenchContext } from '../context.ts'
import { interleave } from '../measurement/interleave.ts'
import { fire } from '../measurement/load.ts'
import { freshDatabase, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure } from '../report/figure.ts'
import type { BareServer } from './bare-baseline.ts'
import { describeSettings, HTTP_NAMESPACE, httpSettings, measure, p99, rps } from './http-measure.ts'

export interface ProfileTarget {
  service: ServiceProcess
  url: string
  databaseUrl: string
  userId: string
  /** What the service answers, for the bare route to answer from memory. */
  profile: ProfileResponse
}

/**
 * profile-service with one stored profile to read: every read after the first is served from the
 * cache. `cache: false` runs it with the cache off, so every read is a PostgreSQL query (what a
 * profile not read before, or one just changed, costs).
 */
export async function startProfileTarget(ctx: BenchContext, { cache = true } = {}): Promise<ProfileTarget> {
  const databaseUrl = await freshDatabase(ctx, cache ? 'bench_http_profiles' : 'bench_http_profiles_no_cache')
  const service = await startService(ctx, 'profile-service', {
    databaseUrl,
    namespace: HTTP_NAMESPACE,
    ...(!cache && { env: { PROFILE_CACHE_MAX_ENTRIES: '0' }, label: 'profile-service#no-cache' }),
  })
  const userId = randomUUID()
  await withClient(databaseUrl, (client) =>
    client.query(
      `insert into profiles (user_id, username, display_name) values ($1, 'bench_reader', 'Bench Reader')`,
      [userId],
    ),
  )
  const url = `${service.url}/profile/${userId}`
  const profile = ProfileSchema.parse(await (await fetch(url)).json())
  return { service, url, databaseUrl, userId, profile }
}

/** Figure 1: GET /profile/:id vs the bare route answering the same JSON from memory. */
export async function benchProfileGet(
  ctx: BenchContext,
  target: ProfileTarget,
  startUncached: () => Promise<ProfileTarget>,
  bare: BareServer,
): Promise<Figure[]> {
  ctx.log('figure 1: GET /profile/:id')
  const load = httpSettings(ctx)
  const bareUrl = `${bare.url}/profile/${target.userId}`
  // One service at a time: an idle instance beside the measured one would take CPU from it.
  const runs = async (service: ProfileTarget) => {
    try {
      await fire({ url: bareUrl }, { ...load, seconds: 1 })
      await fire({ url: service.url }, { ...load, seconds: 1 })
      return await interleave(ctx.sizes.runs, {
        baseline: () => measure(ctx, { url: bareUrl }, load, bare),
        subject: () => measure(ctx, { url: service.url }, load, service.service, service.databaseUrl),
      })
    } finally {
      await stopService(ctx, service.service)
    }
  }
  const get = await runs(target)
  const uncached = await runs(await startUncached())
  const http = describeSettings(load)
  return [
    figure(
      {
        id: '1a',
        title: 'GET /profile/:id, requests/s',
        unit: 'req/s',
        subjectLabel: 'profile-service, one profile read over and over (from its cache)',
        baselineLabel: 'bare Fastify route, same JSON from memory',
        target: { kind: 'min', ratio: 0.7 },
        notes: http,
      },
      rps(get.subject),
      rps(get.baseline),
    ),
    figure(
      {
        id: '1b',
        title: 'GET /profile/:id, p99 latency',
        unit: 'ms',
        subjectLabel: 'profile-service',
        baselineLabel: 'bare Fastify route',
        target: { kind: 'max', ratio: 2 },
        notes: http,
      },
      p99(get.subject),
      p99(get.baseline),
    ),
    figure(
      {
        id: '1c',
        title: 'GET /profile/:id with the cache off, requests/s',
        unit: 'req/s',
        subjectLabel: 'profile-service, PROFILE_CACHE_MAX_ENTRIES=0: a PostgreSQL query per read',
        baselineLabel: 'bare Fastify route, same JSON from memory',
        notes: `${http}; what a read of a profile not in the cache costs`,
      },
      rps(uncached.subject),
      rps(uncached.baseline),
    ),
  ]
}
