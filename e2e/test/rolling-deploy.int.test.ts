import { createWorld, trackService, useHarness } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { formatRollingReport, runRollingDeploy } from '../src/rolling/rolling-deploy.ts'

describe('a rolling deploy behind HAProxy, then kill -9', () => {
  const harness = useHarness()

  it('answers every request while each instance restarts, loses only what killed instances held, and nothing stored', {
    timeout: 300_000,
  }, async () => {
    const world = await createWorld()
    const report = await runRollingDeploy({
      kafka: { brokers: world.brokers },
      databaseUrls: { 'user-service': world.userDatabaseUrl, 'profile-service': world.profileDatabaseUrl },
      namespace: world.namespace,
      createTopics: false,
      log: (line) => console.log(`[rolling] ${line}`),
      onInstance: (instance) => trackService(harness, instance),
    })
    console.log(formatRollingReport(report))
    expect(report.roll.failures).toEqual([])
    expect(report.problems).toEqual([])
    // The load ran: registrations in every phase, and each killed instance held requests or not.
    expect(report.roll.requests).toBeGreaterThan(100)
    expect(report.kill?.requests).toBeGreaterThan(20)
  })
})
