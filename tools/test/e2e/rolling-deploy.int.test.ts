import { ConsumerGroups, namespaced } from '@kafka-ref/shared-contracts'
import { describe, expect, it } from 'vitest'
import { committedOffsets, endOffsets, sortedIds, useHarness, waitFor } from '../../src/testing/index.ts'
import { sleep } from '../../src/util/sleep.ts'
import { type BalancedWorld, startBalancedWorld } from './rolling/balanced-world.ts'
import { type LoadReport, SteadyLoad } from './rolling/steady-load.ts'

/** Load before and after the roll, so the roll happens under a load that has settled. */
const STEADY_MS = 3_000

/** Every registration the clients saw succeed became exactly one profile, and the group caught up. */
async function expectNothingLost({ world, db }: BalancedWorld, report: LoadReport) {
  const groupId = namespaced(ConsumerGroups.profileService, world.namespace)
  // Each user's event applied once: one profile per user, one recorded event per outbox event.
  const counts = await db.settledProfileCounts(await db.userCount(), 60_000)
  const users = await db.userIds()
  expect(counts).toEqual({
    profiles: users.length,
    distinctUsers: users.length,
    processedEvents: users.length,
  })
  expect(await db.profileUserIds()).toEqual(users)
  expect(await db.processedEventIds()).toEqual(sortedIds(await db.outboxEventIds()))
  // A 201 is a user; a registration that failed (kill -9) may or may not have made one.
  expect(users).toEqual(expect.arrayContaining(report.registered))
  const lag = await waitFor(
    async () => {
      const [committed, ends] = await Promise.all([
        committedOffsets(world.brokers, groupId, world.topic),
        endOffsets(world.brokers, world.topic),
      ])
      return committed.every((offset, i) => offset === ends[i]) && ends
    },
    { timeoutMs: 30_000, intervalMs: 500, description: 'consumer lag back to 0' },
  )
  return { users: users.length, endOffsets: lag }
}

function summary(label: string, report: LoadReport, rollMaxLatencyMs: number) {
  const kinds = new Map<string, number>()
  for (const f of report.failures)
    kinds.set(`${f.kind} ${f.status ?? f.error}`, (kinds.get(`${f.kind} ${f.status ?? f.error}`) ?? 0) + 1)
  const failures = [...kinds].map(([kind, n]) => `${n} × ${kind}`)
  console.log(
    `[rolling] ${label}: ${report.requests} requests (${report.registrations} registrations), ` +
      `${report.failures.length} failed${failures.length ? ` (${failures.join(', ')})` : ''}; ` +
      `highest latency during the roll ${Math.round(rollMaxLatencyMs)} ms; ` +
      `longest registration → profile ${Math.round(report.maxProfileDelayMs)} ms`,
  )
}

describe('a rolling deploy behind HAProxy', () => {
  const harness = useHarness()

  it('restarts every instance one at a time under load with no failed request and nothing lost', {
    timeout: 180_000,
  }, async () => {
    const t = performance.now()
    const balanced = await startBalancedWorld(harness)
    console.log(`[rolling] world ${Math.round(performance.now() - t)} ms`)
    const { balancer, instances } = balanced
    const load = new SteadyLoad({
      userUrl: balanced.userUrl,
      profileUrl: balanced.profileUrl,
      clients: 4,
      pauseMs: 100,
      tag: 'roll',
    })
    load.start()
    await sleep(STEADY_MS)
    const rollStarted = performance.now()
    for (const [service, list] of Object.entries(instances)) {
      for (const instance of list) {
        const t0 = performance.now()
        await instance.stop()
        const t1 = performance.now()
        expect(instance.exit, instance.label).toEqual({ code: 0, signal: null })
        await instance.start()
        const t2 = performance.now()
        await balancer.waitForServer(service, instance.label, 'UP')
        console.log(
          `[rolling] ${instance.label}: stop ${Math.round(t1 - t0)} ms, start ${Math.round(t2 - t1)} ms, up ${Math.round(performance.now() - t2)} ms`,
        )
      }
    }
    const rollEnded = performance.now()
    await sleep(STEADY_MS)
    const report = await load.stop()
    summary('SIGTERM roll', report, load.maxLatencyBetween(rollStarted, rollEnded))

    expect(report.failures).toEqual([])
    expect(report.registered.length).toBeGreaterThan(0)
    await expectNothingLost(balanced, report)
  })

  it('loses nothing when instances are killed (kill -9) under load: only the requests they held fail', {
    timeout: 180_000,
  }, async () => {
    // The broker's lower bound: a killed instance's partitions move after 6 s instead of 10 s.
    const balanced = await startBalancedWorld(harness, { env: { CONSUMER_SESSION_TIMEOUT_MS: '6000' } })
    const { balancer, instances } = balanced
    const load = new SteadyLoad({
      userUrl: balanced.userUrl,
      profileUrl: balanced.profileUrl,
      clients: 4,
      pauseMs: 100,
      tag: 'kill',
    })
    load.start()
    await sleep(STEADY_MS)
    const kills: number[] = []
    const rollStarted = performance.now()
    for (const [service, list] of Object.entries(instances)) {
      const instance = list[0]!
      kills.push(performance.now())
      await instance.kill()
      await sleep(STEADY_MS)
      await instance.start()
      await balancer.waitForServer(service, instance.label, 'UP')
    }
    const rollEnded = performance.now()
    await sleep(STEADY_MS)
    const report = await load.stop()
    summary('kill -9 of one instance of each service', report, load.maxLatencyBetween(rollStarted, rollEnded))

    // What fails is what a killed instance held: requests sent before its kill and ended after it,
    // never retried since they may have been applied. HAProxy answers 502, or closes the client's
    // keep-alive connection without an answer (UND_ERR_SOCKET) when the request went out on a
    // reused connection, as a server closing a keep-alive connection would. Requests sent later
    // were refused by the dead instance and retried on the other one.
    const held = (at: number, latencyMs: number) => kills.some((kill) => at <= kill && at + latencyMs >= kill)
    for (const failure of report.failures) {
      expect([502, 'UND_ERR_SOCKET']).toContain(failure.status ?? failure.error)
      expect(held(failure.at, failure.latencyMs), JSON.stringify(failure)).toBe(true)
    }
    // A client has one request in flight at a time.
    expect(report.failures.length).toBeLessThanOrEqual(4 * kills.length)
    await expectNothingLost(balanced, report)
  })
})
