import { parse } from 'yaml'
import { type BalancedService, renderHaproxyConfig } from './haproxy-config.ts'

/** The compose service running HAProxy; it balances the services it `depends_on`. */
export const COMPOSE_BALANCER = 'balancer'
/** Where the compose file mounts HAProxy's configuration from (relative to the repository root). */
export const COMPOSE_HAPROXY_CONFIG = 'docker/haproxy/haproxy.cfg'
/** Docker's embedded DNS, which answers a service's name with the address of every replica. */
const DOCKER_DNS = '127.0.0.11:53'
/** Slots per service: replicas beyond `deploy.replicas` (`docker compose up --scale`) up to this get traffic too. */
export const COMPOSE_REPLICA_SLOTS = 10

export interface ComposeService {
  environment?: Record<string, string | number>
  deploy?: { replicas?: number }
  depends_on?: Record<string, unknown> | string[]
  ports?: string[]
  volumes?: string[]
  stop_grace_period?: string
}

export interface ComposeFile {
  services: Record<string, ComposeService>
}

/** docker-compose.yml, parsed with its YAML merge keys (`<<: *service-env`) applied. */
export function parseCompose(text: string): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile
}

/** The services the balancer's `depends_on` names, each with the port it listens on (`PORT`). */
export function composeBalancedServices(compose: ComposeFile): BalancedService[] {
  const balancer = compose.services[COMPOSE_BALANCER]
  if (!balancer) throw new Error(`the compose file has no "${COMPOSE_BALANCER}" service`)
  const names = Array.isArray(balancer.depends_on)
    ? balancer.depends_on
    : Object.keys(balancer.depends_on ?? {})
  return names.map((name) => {
    const port = compose.services[name]?.environment?.PORT
    if (port === undefined) throw new Error(`compose service "${name}" sets no PORT`)
    return {
      name,
      bind: `:${port}`,
      instances: { slots: COMPOSE_REPLICA_SLOTS, address: `${name}:${port}` },
    }
  })
}

/** The configuration the compose file's balancer mounts, from the same renderer as local runs. */
export function composeHaproxyConfig(composeText: string): string {
  const services = composeBalancedServices(parseCompose(composeText))
  return renderHaproxyConfig({ services, nameserver: DOCKER_DNS })
}
