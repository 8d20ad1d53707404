import { sleep } from '@kafka-ref/local-servers'
import { ConsumerGroups, namespaced } from '@kafka-ref/shared-contracts'
import {
  type KafkaSource,
  type PostgresSource,
  type RunningSystem,
  type ServiceName,
  type ServiceProcess,
  startSystem,
} from '@kafka-ref/system'
import { committedOffsets, Databases, endOffsets, sortedIds, waitFor } from '@kafka-ref/testkit/clients'
import { type Outcome, SteadyLoad } from './steady-load.ts'

export interface RollingOptions {
  kafka: KafkaSource
  /** Where the databases are created, unless `databaseUrls` gives them. */
  postgres?: PostgresSource
  databaseUrls?: Partial<Record<ServiceName, string>>
  namespace?: string
  /** False when the caller created the topics (a test world). */
  createTopics?: boolean
  /** Instances of each service (default 2). */
  instances?: number
  /** SHUTDOWN_DRAIN_DELAY_MS of every instance; default the services' own. */
  drainDelayMs?: number
  /** After the roll, kill -9 (and restart) the first instance of each service (default true). */
  kill?: boolean
  /** Clients registering and reading at once (default 4). */
  clients?: number
  log?: (line: string) => void
  /** Each instance before it starts (a test tracks it). */
  onInstance?: (instance: ServiceProcess) => void
}

/** What the clients saw during one phase. */
export interface PhaseFigures {
  requests: number
  failures: Outcome[]
  maxLatencyMs: number
  durationMs: number
}

export interface KillFigures extends PhaseFigures {
  /**
   * Failures of requests in flight between a kill and the balancer taking the instance out, ended
   * with the balancer's 502 or with the client's keep-alive connection closed unanswered
   * (UND_ERR_SOCKET: HAProxy's answer when the request went out on a connection it reused): what the
   * killed instance was answering, and what HAProxy sent on a connection to it before it saw that
   * connection close. Never retried, since the instance may have applied them; any other failure is
   * a problem. (Those sent to it on a new connection are refused and retried on another instance.)
   */
  held: number
  /** When each failed request was sent, from the kill before it (negative: before the first kill). */
  sentAfterKillMs: number[]
}

export interface RollingReport {
  /** Every instance stopped (SIGTERM) and started again, one at a time: no request may fail. */
  roll: PhaseFigures
  /** The first instance of each service killed (SIGKILL) and started again. */
  kill: KillFigures | undefined
  requests: number
  registrations: number
  /** The longest a registered user waited for its profile (201 → profile served), the consumer's stall. */
  maxProfileDelayMs: number
  /** Failed requests that should not have, and whatever was lost, one line each. */
  problems: string[]
  ok: boolean
}

/** Load before, between and after the phases, so each happens under a load that has settled. */
const STEADY_MS = 3_000

/**
 * A rolling deploy under load: `instances` of each service behind HAProxy, clients registering and
 * waiting for their profiles through the front ports, every instance stopped and started one at a
 * time (the next only once the balancer sends it requests again); then, unless `kill` is false, the
 * first instance of each service killed with SIGKILL. Judged by what the clients saw and by what
 * was stored and committed.
 */
export async function runRollingDeploy(options: RollingOptions): Promise<RollingReport> {
  const log = options.log ?? (() => undefined)
  const count = options.instances ?? 2
  const env: Record<string, string> =
    options.drainDelayMs === undefined ? {} : { SHUTDOWN_DRAIN_DELAY_MS: String(options.drainDelayMs) }
  const system = await startSystem({
    kafka: options.kafka,
    postgres: options.postgres,
    namespace: options.namespace ?? `rolling-${Date.now().toString(36)}-`,
    createTopics: options.createTopics,
    preset: 'faults',
    services: {
      'user-service': { count, env, databaseUrl: options.databaseUrls?.['user-service'] },
      'profile-service': { count, env, databaseUrl: options.databaseUrls?.['profile-service'] },
    },
    balancer: {},
    onInstance: options.onInstance,
    onStep: log,
  })
  try {
    const load = new SteadyLoad({
      userUrl: system.service('user-service').url,
      profileUrl: system.service('profile-service').url,
      clients: options.clients ?? 4,
      pauseMs: 100,
      tag: `r${Date.now().toString(36)}`,
    })
    load.start()
    await sleep(STEADY_MS)
    const rollWindow = await during(async () => {
      for (const [name, service] of Object.entries(system.services)) {
        for (const instance of service.instances) {
          log(`restarting ${instance.label} (SIGTERM)`)
          await instance.stop()
          await instance.start()
          await system.balancer!.waitForServer(name, instance.label, 'UP')
        }
      }
    })
    const kills: Kill[] = []
    let killWindow: Window | undefined
    if (options.kill ?? true) {
      await sleep(STEADY_MS)
      killWindow = await during(async () => {
        for (const [name, service] of Object.entries(system.services)) {
          const instance = service.instances[0]!
          log(`killing ${instance.label} (SIGKILL)`)
          const sent = performance.now()
          await instance.kill()
          await system.balancer!.waitForServer(name, instance.label, 'DOWN')
          kills.push({ sent, out: performance.now() })
          await sleep(STEADY_MS)
          await instance.start()
          await system.balancer!.waitForServer(name, instance.label, 'UP')
        }
      })
    }
    await sleep(STEADY_MS)
    // Every request's outcome is known once the load has stopped.
    const figures = await load.stop()
    const roll = phaseFigures(load, rollWindow)
    const killed = killWindow && phaseFigures(load, killWindow)
    const kill = killed && {
      ...killed,
      held: killed.failures.filter((f) => heldByKilled(f, kills)).length,
      sentAfterKillMs: killed.failures.map((f) => f.at - killBefore(f.at, kills)),
    }
    const problems = await lost(system, figures.registered)
    const unexpected = load.outcomes.filter((o) => o.failed && !heldByKilled(o, kills))
    if (unexpected.length > 0)
      problems.push(`${unexpected.length} requests failed that no killed instance held`)
    return {
      roll,
      kill,
      requests: figures.requests,
      registrations: figures.registrations,
      maxProfileDelayMs: figures.maxProfileDelayMs,
      problems,
      ok: problems.length === 0,
    }
  } finally {
    await system.stop()
  }
}

interface Window {
  from: number
  to: number
}

/** When `work` ran (performance.now()). */
async function during(work: () => Promise<void>): Promise<Window> {
  const from = performance.now()
  await work()
  return { from, to: performance.now() }
}

/** What the clients saw of the requests in flight at some point of `window`. */
function phaseFigures(load: SteadyLoad, { from, to }: Window): PhaseFigures {
  const seen = load.outcomesDuring(from, to)
  return {
    requests: seen.length,
    failures: seen.filter((outcome) => outcome.failed),
    maxLatencyMs: Math.max(0, ...seen.map((outcome) => outcome.latencyMs)),
    durationMs: to - from,
  }
}

/** When a kill was sent, and when the balancer had taken the killed instance out. */
interface Kill {
  sent: number
  out: number
}

/** The last kill sent before `at`, or the first one. */
function killBefore(at: number, kills: readonly Kill[]): number {
  return kills.findLast((kill) => kill.sent <= at)?.sent ?? kills[0]!.sent
}

/** A reset answer to a request in flight while the balancer could still send it to the killed instance. */
function heldByKilled(outcome: Outcome, kills: readonly Kill[]): boolean {
  const reset = outcome.status === 502 || outcome.error === 'UND_ERR_SOCKET'
  return reset && kills.some((kill) => outcome.at <= kill.out && outcome.at + outcome.latencyMs >= kill.sent)
}

/**
 * Whatever the system lost: each registration answered 201 is a user, each user exactly one profile
 * (one processed event per outbox event), and the consumer group caught up with the topic.
 */
async function lost(system: RunningSystem, registered: readonly string[]): Promise<string[]> {
  const db = new Databases({
    userDatabaseUrl: system.service('user-service').databaseUrl,
    profileDatabaseUrl: system.service('profile-service').databaseUrl,
  })
  const problems: string[] = []
  try {
    const users = await db.userIds()
    const counts = await db.settledProfileCounts(users.length, 60_000).catch(() => undefined)
    const profiles = await db.profileUserIds()
    if (!counts || JSON.stringify(profiles) !== JSON.stringify(users)) {
      problems.push(`${users.length} users but ${profiles.length} profiles`)
    }
    const [processed, outbox] = [await db.processedEventIds(), sortedIds(await db.outboxEventIds())]
    if (JSON.stringify(processed) !== JSON.stringify(outbox)) {
      problems.push(`${outbox.length} events in the outbox, ${processed.length} applied`)
    }
    const known = new Set(users)
    const missing = registered.filter((id) => !known.has(id))
    if (missing.length > 0) problems.push(`${missing.length} registrations answered 201 have no user`)
  } finally {
    await db.close()
  }
  const groupId = namespaced(ConsumerGroups.profileService, system.namespace)
  const topic = system.topics.userRegister.name
  await waitFor(
    async () => {
      const [committed, ends] = await Promise.all([
        committedOffsets(system.brokers, groupId, topic),
        endOffsets(system.brokers, topic),
      ])
      return committed.every((offset, i) => offset === ends[i])
    },
    { timeoutMs: 30_000, intervalMs: 500, description: 'consumer lag back to 0' },
  ).catch(() => problems.push('consumer lag not back to 0 within 30 s'))
  return problems
}

/** One line per phase, for the CLI and the test's output. */
export function formatRollingReport(report: RollingReport): string {
  const failures = (list: Outcome[]) => {
    const kinds = new Map<string, number>()
    for (const f of list)
      kinds.set(`${f.kind} ${f.status ?? f.error}`, (kinds.get(`${f.kind} ${f.status ?? f.error}`) ?? 0) + 1)
    return list.length ? ` (${[...kinds].map(([kind, n]) => `${n} × ${kind}`).join(', ')})` : ''
  }
  const ms = (value: number) => `${Math.round(value)} ms`
  const lines = [
    `${report.requests} requests (${report.registrations} registrations); longest registration → profile ${ms(report.maxProfileDelayMs)}`,
    `roll (SIGTERM, one instance at a time): ${report.roll.requests} requests in ${ms(report.roll.durationMs)}, ` +
      `${report.roll.failures.length} failed${failures(report.roll.failures)}, highest latency ${ms(report.roll.maxLatencyMs)}`,
  ]
  if (report.kill) {
    lines.push(
      `kill -9 (one instance of each service): ${report.kill.requests} requests, ${report.kill.failures.length} failed` +
        `${failures(report.kill.failures)}, ${report.kill.held} of them in flight on a killed instance (sent ${report.kill.sentAfterKillMs.map(ms).join(', ')} after a kill), highest latency ${ms(report.kill.maxLatencyMs)}`,
    )
  }
  lines.push(
    report.ok
      ? 'nothing lost: every registration one profile, lag 0'
      : `PROBLEMS: ${report.problems.join('; ')}`,
  )
  return lines.join('\n')
}
