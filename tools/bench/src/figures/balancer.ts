import { freePort } from '@kafka-ref/local-servers'
import { Balancer, type ServiceProcess } from '@kafka-ref/system'
import type { BenchContext } from '../context.ts'
import { interleave } from '../measurement/interleave.ts'
import { fire, type LoadTarget, registrationBodies } from '../measurement/load.ts'
import { freshDatabase, freshSystemTopics, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure } from '../report/figure.ts'
import { startProfileTarget } from './http-get.ts'
import { describeSettings, HTTP_NAMESPACE, httpSettings, measure, rps } from './http-measure.ts'

/** HAProxy (the configuration `pnpm dev --instances` and compose use) in front of one instance. */
async function behindBalancer(ctx: BenchContext, instance: ServiceProcess, name: string) {
  const front = `127.0.0.1:${await freePort()}`
  const balancer = await Balancer.start({
    services: [
      { name, bind: front, servers: [{ name: instance.label, address: new URL(instance.url).host }] },
    ],
    // An instance taken out (failed checks) shows as failed requests: say why.
    onLine: (line) => ctx.log(`  [haproxy] ${line}`),
  })
  await balancer.waitForServer(name, instance.label, 'UP')
  return { balancer, url: `http://${front}` }
}

/**
 * Figure 8: what the balancer costs a request: the same instance measured through HAProxy and
 * directly, alternately in one run. The CPU column counts HAProxy's share: on two cores it competes
 * with the service and the load generator.
 */
export async function benchBalancer(ctx: BenchContext): Promise<Figure[]> {
  ctx.log('figure 8: through HAProxy vs directly')
  await freshSystemTopics(ctx, HTTP_NAMESPACE)
  const load = httpSettings(ctx)
  const reader = await startProfileTarget(ctx)
  const usersDb = await freshDatabase(ctx, 'bench_balancer_users')
  // The test cost: at the default one a request is most of a second of hashing, and the balancer's
  // share would vanish in it.
  const writer = await startService(ctx, 'user-service', {
    databaseUrl: usersDb,
    namespace: HTTP_NAMESPACE,
    env: { PASSWORD_HASH_COST: '4' },
  })
  const profiles = await behindBalancer(ctx, reader.service, 'profile-service')
  const users = await behindBalancer(ctx, writer, 'user-service')
  const bodies = registrationBodies(`lb${Date.now().toString(36)}`)
  const register = (url: string): LoadTarget => ({
    url: `${url}/user/register`,
    method: 'POST',
    body: bodies,
  })
  const path = new URL(reader.url).pathname
  try {
    for (const url of [reader.url, `${profiles.url}${path}`]) await fire({ url }, { ...load, seconds: 1 })
    for (const url of [writer.url, users.url]) await fire(register(url), { ...load, seconds: 1 })
    const runs = await interleave(ctx.sizes.runs, {
      getDirect: () => measure(ctx, { url: reader.url }, load, reader.service),
      getBalanced: () =>
        measure(ctx, { url: `${profiles.url}${path}` }, load, reader.service, undefined, {
          haproxy: profiles.balancer,
        }),
      postDirect: () => measure(ctx, register(writer.url), load, writer, usersDb),
      postBalanced: () =>
        measure(ctx, register(users.url), load, writer, usersDb, { haproxy: users.balancer }),
    })
    const notes = `${describeSettings(load)}; HAProxy with the configuration of pnpm dev --instances (readiness checks, retries on refused connections, keep-alive to the instance)`
    return [
      figure(
        {
          id: '8a',
          title: 'GET /profile/:id through HAProxy vs directly, requests/s',
          unit: 'req/s',
          subjectLabel: 'profile-service behind HAProxy (from its cache)',
          baselineLabel: 'the same instance, directly',
          notes,
        },
        rps(runs.getBalanced),
        rps(runs.getDirect),
      ),
      figure(
        {
          id: '8b',
          title: 'POST /user/register through HAProxy vs directly, requests/s',
          unit: 'req/s',
          subjectLabel: 'user-service behind HAProxy, PASSWORD_HASH_COST=4',
          baselineLabel: 'the same instance, directly',
          notes,
        },
        rps(runs.postBalanced),
        rps(runs.postDirect),
      ),
    ]
  } finally {
    await Promise.all([profiles.balancer.stop(), users.balancer.stop()])
    await Promise.all([stopService(ctx, reader.service), stopService(ctx, writer)])
  }
}
