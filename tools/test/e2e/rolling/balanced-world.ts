import { Balancer } from '../../../src/system/balancer.ts'
import type { ServiceName, ServiceProcess } from '../../../src/system/service-process.ts'
import {
  createWorld,
  Databases,
  type Harness,
  startService,
  type TestWorld,
} from '../../../src/testing/index.ts'
import { freePorts } from '../../../src/util/free-port.ts'

export interface BalancedWorld {
  world: TestWorld
  db: Databases
  balancer: Balancer
  /** The front ports' URLs, where clients go. */
  userUrl: string
  profileUrl: string
  instances: Record<ServiceName, ServiceProcess[]>
}

/** What these runs change beside the tests' usual settings. */
const ENV: Record<string, string> = {
  // A request log line per request would cost more CPU than the requests on two cores.
  LOG_LEVEL: 'warn',
  // Every client is 127.0.0.1 (the balancer forwards it): the per-client limit is not tested here.
  PROFILE_RATE_LIMIT_MAX: '1000000',
}

/**
 * `instances` of each service against a world of their own, behind HAProxy with one front port per
 * service; resolves once the balancer sees every instance up. The harness stops all of it.
 */
export async function startBalancedWorld(
  harness: Harness,
  { instances = 2, env = {} }: { instances?: number; env?: Record<string, string> } = {},
): Promise<BalancedWorld> {
  const world = await createWorld()
  const db = harness.track(new Databases(world))
  const start = (service: ServiceName) =>
    Promise.all(
      Array.from({ length: instances }, (_, i) =>
        startService(harness, world, service, { label: `${service}-${i + 1}`, env: { ...ENV, ...env } }),
      ),
    )
  const started = {
    'user-service': await start('user-service'),
    'profile-service': await start('profile-service'),
  }
  const [userPort, profilePort] = await freePorts(2)
  const fronts: Record<ServiceName, string> = {
    'user-service': `127.0.0.1:${userPort}`,
    'profile-service': `127.0.0.1:${profilePort}`,
  }
  const balancer = await Balancer.start({
    services: (['user-service', 'profile-service'] as const).map((name) => ({
      name,
      bind: fronts[name],
      servers: started[name].map((instance) => ({
        name: instance.label,
        address: new URL(instance.url).host,
      })),
    })),
  })
  harness.defer(() => balancer.stop())
  harness.onFailure(() => `--- HAProxy ---\n${balancer.lines.slice(-30).join('\n')}`)
  for (const [name, list] of Object.entries(started)) {
    for (const instance of list) await balancer.waitForServer(name, instance.label, 'UP')
  }
  return {
    world,
    db,
    balancer,
    userUrl: `http://${fronts['user-service']}`,
    profileUrl: `http://${fronts['profile-service']}`,
    instances: started,
  }
}
