import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { COMPOSE_HAPROXY_CONFIG, composeHaproxyConfig } from './compose-balancer.ts'

// Part of `pnpm docs:generate`: the compose balancer's configuration, rendered from docker-compose.yml
// by the renderer local runs use (a test fails when the committed file differs).
const root = repoRoot()
const config = composeHaproxyConfig(readFileSync(join(root, 'docker-compose.yml'), 'utf8'))
writeFileSync(join(root, COMPOSE_HAPROXY_CONFIG), config)
console.log(`${COMPOSE_HAPROXY_CONFIG}: written from docker-compose.yml`)
