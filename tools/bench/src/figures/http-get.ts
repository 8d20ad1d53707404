import { randomUUID } from 'node:crypto'
import { type ProfileResponse, ProfileResponse as ProfileSchema } from '@kafka-ref/shared-contracts'
import type { ServiceProcess } from '@kafka-ref/system'
import { withClient } from '@kafka-ref/testkit/clients'
import type { BenchContext } from '../context.ts'
import { interleave } from '../measurement/interleave.ts'
import { fire } from '../measurement/load.ts'
import { freshDatabase, serviceConfig, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure } from '../report/figure.ts'
import { type BareServer, startStackServer } from './bare-baseline.ts'
import {
  describeSettings,
  HTTP_NAMESPACE,
  type HttpRun,
  httpSettings,
  measure,
  p99,
  rps,
} from './http-measure.ts'

export interface ProfileTarget {
  service: ServiceProcess
  url: string
  databaseUrl: string
  userId: string
  /** What the service answers, for the bare route to answer from memory. */
  profile: ProfileResponse
  /** The service's environment (its configuration), for the framework baseline of figure 1d. */
  env: Record<string, string>
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
  return { service, url, databaseUrl, userId, profile, env: serviceConfig(service) }
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
  const bareRun = () => measure(ctx, { url: bareUrl }, load, bare)
  const serviceRun = (service: ProfileTarget) => () =>
    measure(ctx, { url: service.url }, load, service.service, service.databaseUrl)
  // One service at a time: an idle instance beside the measured one would take CPU from it.
  const runs = async <K extends string>(
    service: ProfileTarget,
    urls: string[],
    steps: Record<K, () => Promise<HttpRun>>,
  ) => {
    try {
      for (const url of urls) await fire({ url }, { ...load, seconds: 1 })
      return await interleave(ctx.sizes.runs, steps)
    } finally {
      await stopService(ctx, service.service)
    }
  }
  const stack = await startStackServer(target.profile, target.env)
  const stackUrl = `${stack.url}/profile/${target.userId}`
  const get = await runs(target, [bareUrl, stackUrl, target.url], {
    baseline: bareRun,
    stack: () => measure(ctx, { url: stackUrl }, load, stack),
    subject: serviceRun(target),
  }).finally(() => stack.stop())
  const cacheOff = await startUncached()
  const uncached = await runs(cacheOff, [bareUrl, cacheOff.url], {
    baseline: bareRun,
    subject: serviceRun(cacheOff),
  })
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
        id: '1d',
        title: 'GET /profile/:id vs its own framework stack, requests/s',
        unit: 'req/s',
        subjectLabel: 'profile-service, from its cache (the runs of 1a)',
        baselineLabel:
          "the service's base app (its configuration, every per-request plugin) and route options, the JSON from memory",
        notes: `${http}; the baseline does the per-request work the earlier issues require (request ids, logging with redaction, CORS, rate limit, metrics, load shedding, schema validation) and nothing else: what separates the two is the service's own code`,
      },
      rps(get.subject),
      rps(get.stack),
    ),
    figure(
      {
        id: '1e',
        title: 'The framework stack of 1d vs the bare Fastify route, requests/s',
        unit: 'req/s',
        subjectLabel: "profile-service's framework stack, the JSON from memory",
        baselineLabel: 'bare Fastify route, same JSON from memory',
        notes: `${http}; the most 1a can reach with the plugins the service must run per request`,
      },
      rps(get.stack),
      rps(get.baseline),
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
