import { freePort } from '@kafka-ref/local-servers'
import { Balancer } from './balancer.ts'
import type { ServiceName } from './service-process.ts'
import type { RunningService, SystemOptions } from './system-options.ts'

/**
 * HAProxy in front of the running services, one front port per service (given or free), on the
 * loopback address like the instances; resolves once it sends requests to every instance, with
 * each service's `url` set to its front.
 */
export async function balanceServices(
  services: Partial<Record<ServiceName, RunningService>>,
  options: NonNullable<SystemOptions['balancer']>,
  onLine?: SystemOptions['onLine'],
): Promise<Balancer> {
  const entries = Object.entries(services) as Array<[ServiceName, RunningService]>
  const fronts: Partial<Record<ServiceName, string>> = {}
  for (const [name] of entries) fronts[name] = `127.0.0.1:${options.ports?.[name] ?? (await freePort())}`
  const balancer = await Balancer.start({
    services: entries.map(([name, service]) => ({
      name,
      bind: fronts[name]!,
      servers: service.instances.map((instance) => ({
        name: instance.label,
        address: new URL(instance.url).host,
      })),
    })),
    onLine: onLine && ((line) => onLine(line, 'haproxy')),
  })
  try {
    for (const [name, service] of entries) {
      for (const instance of service.instances) await balancer.waitForServer(name, instance.label, 'UP')
      service.url = `http://${fronts[name]}`
    }
  } catch (error) {
    await balancer.stop()
    throw error
  }
  return balancer
}
