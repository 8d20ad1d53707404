import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { describe, expect, it } from 'vitest'
import {
  COMPOSE_BALANCER,
  COMPOSE_HAPROXY_CONFIG,
  COMPOSE_REPLICA_SLOTS,
  composeBalancedServices,
  composeHaproxyConfig,
  parseCompose,
} from '../src/compose-balancer.ts'

const composeText = readFileSync(join(repoRoot(), 'docker-compose.yml'), 'utf8')
const compose = parseCompose(composeText)
const balanced = composeBalancedServices(compose)
const committedConfig = join(repoRoot(), COMPOSE_HAPROXY_CONFIG)

/** `15s`, `1m30s`, `500ms` → milliseconds, as compose reads a duration. */
function durationMs(value: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }
  return [...value.matchAll(/(\d+)(ms|s|m|h)/g)].reduce(
    (sum, [, n, unit]) => sum + Number(n) * units[unit!]!,
    0,
  )
}

describe('docker-compose.yml behind HAProxy', () => {
  it('mounts the configuration the local balancer is rendered with (pnpm docs:generate writes it)', () => {
    expect(readFileSync(committedConfig, 'utf8')).toBe(composeHaproxyConfig(composeText))
    // HAProxy itself accepts it (the image is 2.6, as Debian bookworm's package).
    expect(execFileSync('haproxy', ['-c', '-f', committedConfig], { encoding: 'utf8' })).toContain('valid')
  })

  it('runs replicas of both services, reached only through the balancer on ports 3001 and 3002', () => {
    expect(balanced.map((service) => service.name).sort()).toEqual(['profile-service', 'user-service'])
    const balancer = compose.services[COMPOSE_BALANCER]!
    expect(balancer.volumes).toContain(`./${COMPOSE_HAPROXY_CONFIG}:/usr/local/etc/haproxy/haproxy.cfg:ro`)
    expect(balancer.ports?.sort()).toEqual(['127.0.0.1:3001:3001', '127.0.0.1:3002:3002'])
    for (const { name } of balanced) {
      const service = compose.services[name]!
      const replicas = service.deploy?.replicas ?? 1
      expect(replicas, name).toBeGreaterThanOrEqual(2)
      expect(replicas, name).toBeLessThanOrEqual(COMPOSE_REPLICA_SLOTS)
      // Replicas cannot share a host port, and a client must not bypass the balancer's checks.
      expect(service.ports, name).toBeUndefined()
      expect(service.environment?.TRUST_PROXY, name).toBe('uniquelocal')
    }
    expect(Object.keys(compose.services.frontend?.depends_on ?? {})).toContain(COMPOSE_BALANCER)
  })

  it('lets an instance drain and close before Docker kills it', () => {
    for (const { name } of balanced) {
      const service = compose.services[name]!
      const env = service.environment ?? {}
      const stopMs = Number(env.SHUTDOWN_DRAIN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS)
      expect(stopMs, name).toBeGreaterThan(0)
      expect(durationMs(service.stop_grace_period ?? '10s'), name).toBeGreaterThan(stopMs)
    }
  })
})
