import { sleep } from '@kafka-ref/local-servers'
import { TestProducer } from '@kafka-ref/testkit/clients'
import type { TwoDownFigures } from './cluster-faults.ts'
import { type FaultKind, faultMenu, inject, planFaults } from './faults.ts'
import { Load, type LoadFigures } from './load.ts'
import { poisonSource } from './poison.ts'
import { seededRandom } from './random.ts'
import { hasConverged, probePartitions, profilesExist, readState, type State } from './verify.ts'
import { FaultWorld } from './world.ts'

export interface FaultRunOptions {
  seed: number
  /** Local Kafka nodes: 1 (default) or a cluster, which adds the cluster faults. */
  brokers?: number
  /** How long registrations and poison messages flow; the faults happen inside it. */
  loadMs?: number
  faults?: number
  registrationsPerSecond?: number
  /** Longest wait for the system to settle after the last fault. */
  convergeTimeoutMs?: number
  log?: (line: string) => void
}

export interface FaultRunReport {
  seed: number
  ok: boolean
  /** Why it is not ok, one line each. */
  problems: string[]
  load: LoadFigures
  brokers: number
  /** How often each fault of the run's menu hit. */
  faults: Partial<Record<FaultKind, number>>
  /** On a cluster: what the two-brokers-down step saw. */
  twoDown: TwoDownFigures | undefined
  /** From the end of the last fault to everything stored and committed. */
  convergeMs: number | undefined
  /** A fresh event on every partition, produced after convergence, stored within this time. */
  probeMs: number | undefined
  state: State | undefined
  durationMs: number
}

/**
 * The system under random faults, judged only by what it stored and committed: 2 user-service and
 * 2 profile-service instances, a steady stream of registrations and poison messages, and at random
 * times a kill -9 of a profile-service instance or of the broker, a stop of the profiles database,
 * a restart of a user-service instance. Seeded: the same seed replays the same run.
 */
export async function runFaults(options: FaultRunOptions): Promise<FaultRunReport> {
  const started = Date.now()
  const log = options.log ?? (() => undefined)
  const random = seededRandom(options.seed)
  const brokers = options.brokers ?? 1
  // A cluster's faults take longer (a node's restart waits for its replicas to catch up): more time.
  const loadMs = options.loadMs ?? (brokers === 1 ? 40_000 : 90_000)
  const plan = planFaults(random, {
    count: options.faults ?? (brokers === 1 ? 6 : 10),
    windowMs: loadMs - 5_000,
    gapMs: 4_000,
    brokers,
  })
  const faults: Partial<Record<FaultKind, number>> = Object.fromEntries(
    [...faultMenu(brokers), ...plan.map((fault) => fault.kind)].map((kind) => [kind, 0]),
  )
  let twoDown: TwoDownFigures | undefined
  const problems: string[] = []
  let convergeMs: number | undefined
  let probeMs: number | undefined
  let state: State | undefined
  const world = new FaultWorld(brokers)
  let producer: TestProducer | undefined
  let figures: LoadFigures = { registered: 0, unanswered: 0, poisoned: 0 }
  let load: Load | undefined
  try {
    await world.start()
    producer = await TestProducer.connect(world.brokers)
    log(`seed ${options.seed}: ${plan.map((f) => `${(f.atMs / 1000).toFixed(1)}s ${f.kind}`).join(', ')}`)
    load = new Load({
      userServices: world.userServices,
      producer,
      topic: world.topic,
      random,
      nextPoison: await poisonSource(random),
      registrationsPerSecond: options.registrationsPerSecond ?? 25,
      poisonEveryMs: 2_000,
    })
    const loadStart = Date.now()
    load.start()
    for (const fault of plan) {
      await sleep(loadStart + fault.atMs - Date.now())
      log(`${((Date.now() - loadStart) / 1000).toFixed(1)}s: ${fault.kind} (down ${fault.downMs} ms)`)
      twoDown = (await inject(world, fault, random)) ?? twoDown
      faults[fault.kind] = (faults[fault.kind] ?? 0) + 1
    }
    const lastFaultEnd = Date.now()
    await sleep(loadStart + loadMs - Date.now())
    figures = await load.stop()
    const poisons = load.poisons

    const deadline = Date.now() + (options.convergeTimeoutMs ?? 90_000)
    for (;;) {
      state = await readState(world, poisons).catch((error: Error) => {
        log(`state not readable yet: ${error.message}`)
        return undefined
      })
      if (state && hasConverged(state)) {
        convergeMs = Date.now() - lastFaultEnd
        break
      }
      if (Date.now() > deadline) {
        problems.push(
          `did not converge within ${options.convergeTimeoutMs ?? 90_000} ms: ${JSON.stringify(state)}`,
        )
        break
      }
      await sleep(500)
    }

    if (convergeMs !== undefined) {
      const probeStart = Date.now()
      const probes = await probePartitions(world, producer, world.topics.userRegister.partitions)
      while (!(await profilesExist(world, probes))) {
        if (Date.now() - probeStart > 15_000) {
          problems.push(
            'a probe event on some partition did not become a profile within 15 s (partition stuck?)',
          )
          break
        }
        await sleep(100)
      }
      if (problems.length === 0) probeMs = Date.now() - probeStart
    }
    if (twoDown && twoDown.refusal === undefined) {
      problems.push('with two brokers down a write needing two in-sync copies was accepted')
    }
    if (state) {
      if (state.users !== state.profiles) problems.push(`users ${state.users} != profiles ${state.profiles}`)
      if (!state.processedMatchOutbox) problems.push('processed events differ from the outbox events')
    }
  } catch (error) {
    problems.push(`the run itself failed: ${(error as Error).message}`)
  } finally {
    // Stopped before what it sends through closes, also when the run failed half-way.
    if (load) figures = await load.stop()
    if (problems.length > 0) {
      for (const service of [...world.userServices, ...world.profileServices]) {
        log(`--- last lines of ${service.label} ---\n${service.lines.slice(-25).join('\n')}`)
      }
    }
    await producer?.close()
    await world.stop()
  }
  return {
    seed: options.seed,
    ok: problems.length === 0,
    problems,
    load: figures,
    brokers,
    faults,
    twoDown,
    convergeMs,
    probeMs,
    state,
    durationMs: Date.now() - started,
  }
}

/** The figures a person reads: one block per run. */
export function formatReport(report: FaultRunReport): string {
  const s = report.state
  const faults = Object.entries(report.faults)
    .map(([kind, n]) => `${n}× ${kind}`)
    .join(', ')
  return [
    `fault run, seed ${report.seed}, ${report.brokers === 1 ? 'one broker' : `${report.brokers} brokers`}: ${report.ok ? 'PASSED' : 'FAILED'} in ${(report.durationMs / 1000).toFixed(0)} s`,
    `  registrations: ${report.load.registered} answered 201, ${report.load.unanswered} unanswered (instance down); users stored ${s?.users ?? '?'}, profiles ${s?.profiles ?? '?'} (${s?.missing ?? '?'} missing, ${s?.unexpected ?? '?'} unexpected); each event recorded once: ${s?.processedMatchOutbox ? 'yes' : 'no'} (${s?.processedEvents ?? '?'} of ${s?.outboxEvents ?? '?'})`,
    `  faults: ${faults}`,
    ...(report.twoDown
      ? [
          `  two brokers down: a write was ${report.twoDown.refusal ? `refused (${report.twoDown.refusal})` : 'ACCEPTED'}; with one back, writes accepted again after ${report.twoDown.writableAgainMs} ms`,
        ]
      : []),
    `  poison messages: ${report.load.poisoned} sent, ${s?.deadLetters ?? '?'} dead letters (${s?.duplicateDeadLetters ?? '?'} redelivered after a crash, ${s?.poisonsMissing ?? '?'} missing)`,
    `  converged ${report.convergeMs === undefined ? 'never' : `${(report.convergeMs / 1000).toFixed(1)} s`} after the last fault; probe on every partition stored in ${report.probeMs ?? '?'} ms`,
    `  committed ${JSON.stringify(s?.committed)} = end offsets ${JSON.stringify(s?.ends)}`,
    ...report.problems.map((problem) => `  PROBLEM: ${problem}`),
  ].join('\n')
}
