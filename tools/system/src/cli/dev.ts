import { join } from 'node:path'
import { kafkaDataDirName, repoRoot } from '@kafka-ref/local-servers'
import {
  brokersOption,
  portOption,
  runCli,
  seconds,
  stopOnSignal,
  UsageError,
} from '@kafka-ref/local-servers/cli'
import { DEFAULT_PARTITIONS } from '@kafka-ref/shared-contracts'
import { prettyFactory } from 'pino-pretty'
import { FrontendServer } from '../frontend.ts'
import { startSystem } from '../start-system.ts'

const cli = {
  command: 'pnpm dev',
  options: { partitions: { type: 'string' }, instances: { type: 'string' }, brokers: { type: 'string' } },
  help: `The whole system: local Kafka and PostgreSQL (data in .data/, kept), the topics, both services and the page.
  --partitions N   partitions of user_register (default USER_REGISTER_PARTITIONS, else 3)
  --instances N    N instances of each service behind HAProxy, which listens on the services' ports
                   (needs haproxy: apt-get install haproxy); without it one instance of each, on those ports
  --brokers N      local Kafka nodes (default 1); 3 is a replicated cluster on ports 9092, 9094, 9096
Environment: KAFKA_PORT / POSTGRES_PORT (local servers' ports, default 9092 / 5432), KAFKA_BROKERS (use that
cluster), USER_DATABASE_URL + PROFILE_DATABASE_URL (use those databases), USER_SERVICE_PORT / PROFILE_SERVICE_PORT
(the services' ports, default 3001 / 3002), FRONTEND_PORT (the page, default 5173), DEV_DATA_DIR (the local
servers' data, default <repo>/.data), LOG_LEVEL, CORS_ORIGINS, DEV_RAW_LOGS=1 (JSON logs instead of pretty ones).`,
} as const

const COLORS: Record<string, string> = {
  'user-service': '\x1b[36m',
  'profile-service': '\x1b[35m',
  frontend: '\x1b[32m',
  haproxy: '\x1b[33m',
}
const RESET = '\x1b[0m'

function print(text: string, label: string): void {
  // `user-service#2` in the colour of its service.
  console.log(`${COLORS[label.replace(/#\d+$/, '')] ?? ''}[${label}]${RESET} ${text}`)
}

/** `--instances N`: undefined without it (one instance, no balancer). */
function instancesOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const instances = Number(raw)
  if (!Number.isInteger(instances) || instances < 1) {
    throw new UsageError(`invalid --instances '${raw}': a whole number, 1 or more`)
  }
  return instances
}

runCli(cli, async (values) => {
  const started = Date.now()
  const raw = values.partitions ?? process.env.USER_REGISTER_PARTITIONS ?? String(DEFAULT_PARTITIONS)
  const partitions = Number(raw)
  if (!Number.isInteger(partitions) || partitions < 1) {
    const from = values.partitions === undefined ? 'USER_REGISTER_PARTITIONS' : '--partitions'
    throw new UsageError(`invalid partition count '${raw}' (from ${from}): a whole number, 1 or more`)
  }

  const frontendPort = portOption('FRONTEND_PORT', 5173)
  const pretty = process.env.DEV_RAW_LOGS
    ? undefined
    : prettyFactory({ colorize: true, ignore: 'pid,hostname,service' })
  const localBrokers = brokersOption(values.brokers)
  const brokers = process.env.KAFKA_BROKERS || undefined
  if (brokers && values.brokers !== undefined) {
    throw new UsageError(
      '--brokers starts local Kafka nodes; KAFKA_BROKERS names a cluster to use instead: not both',
    )
  }
  const userDatabaseUrl = process.env.USER_DATABASE_URL || undefined
  const profileDatabaseUrl = process.env.PROFILE_DATABASE_URL || undefined
  const dataDir = process.env.DEV_DATA_DIR || join(repoRoot(), '.data')
  const instances = instancesOption(values.instances)
  // Fixed ports, so clients and a second terminal can rely on them: the services' own, or with
  // several instances the balancer's (the instances then take free ones).
  const ports = {
    'user-service': portOption('USER_SERVICE_PORT', 3001),
    'profile-service': portOption('PROFILE_SERVICE_PORT', 3002),
  }
  const service = (name: keyof typeof ports) =>
    instances === undefined ? { ports: [ports[name]] } : { count: instances }
  // Ctrl-C during start-up aborts it (cleaning up what already runs); afterwards it stops everything.
  const abort = new AbortController()
  const starting = startSystem({
    // Fixed ports, so clients and a second terminal can rely on them; the CLIs use the same ones.
    kafka: brokers
      ? { brokers }
      : {
          local: {
            dataDir: join(dataDir, kafkaDataDirName(localBrokers)),
            port: portOption('KAFKA_PORT', 9092),
            brokers: localBrokers,
          },
        },
    postgres: {
      local: {
        dataDir: join(dataDir, 'postgres'),
        port: portOption('POSTGRES_PORT', 5432),
        persistent: true,
      },
    },
    partitions,
    preset: 'dev',
    services: {
      'user-service': { databaseUrl: userDatabaseUrl, ...service('user-service') },
      'profile-service': { databaseUrl: profileDatabaseUrl, ...service('profile-service') },
    },
    balancer: instances === undefined ? undefined : { ports },
    env: {
      ...(process.env.LOG_LEVEL && { LOG_LEVEL: process.env.LOG_LEVEL }),
      // The page calls both services cross-origin, from either spelling of its address.
      CORS_ORIGINS:
        process.env.CORS_ORIGINS ?? `http://127.0.0.1:${frontendPort},http://localhost:${frontendPort}`,
    },
    signal: abort.signal,
    onStep: (message) => console.log(`[dev] ${message}`),
    onLine: (line, label) => {
      let text = line
      if (pretty && line.startsWith('{')) {
        try {
          text = pretty(line).trimEnd()
        } catch {
          // not JSON after all: print as it is
        }
      }
      print(text, label)
    },
  })
  let frontend: FrontendServer | undefined
  stopOnSignal(async () => {
    abort.abort()
    await frontend?.stop()
    const running = await starting.catch(() => undefined)
    await running?.stop()
    console.log('[dev] stopped')
  })
  const system = await starting
  const user = system.service('user-service').url
  const profile = system.service('profile-service').url
  // Every instance's: metrics are per instance, never behind the balancer.
  const metricsOf = (name: keyof typeof ports) =>
    system
      .service(name)
      .instances.map((instance) => `${instance.metricsUrl}/metrics`)
      .join('  ')
  const behind = (name: keyof typeof ports) =>
    system.balancer
      ? `\n                   HAProxy in front of ${system
          .service(name)
          .instances.map((i) => i.url)
          .join(', ')}`
      : ''
  frontend = new FrontendServer({
    mode: 'dev',
    port: frontendPort,
    api: { userServiceUrl: user, profileServiceUrl: profile },
    onLine: (line) => print(line, 'frontend'),
  })
  console.log('[dev] starting the frontend (Vite dev server)...')
  try {
    await frontend.start()
  } catch (error) {
    await system.stop()
    throw error
  }

  console.log(`
[dev] ready in ${seconds(started)}
  frontend         ${frontend.url}      register and see the profile
  user-service     ${user}      docs ${user}/docs${behind('user-service')}
  profile-service  ${profile}      docs ${profile}/docs${behind('profile-service')}
  Kafka            ${system.brokers}${system.postgres ? `\n  PostgreSQL       ${system.postgres.url}` : ''}
  metrics          ${metricsOf('user-service')}  ${metricsOf('profile-service')}

Try it: open ${frontend.url} in a browser, or
  curl -s -X POST ${user}/user/register -H 'content-type: application/json' \\
    -d '{"email":"ada@example.com","username":"ada","password":"correct horse battery"}'
  curl -s '${profile}/profile/<id from the response>?waitMs=5000'

Ctrl-C stops everything (data stays in .data/).
`)
})
