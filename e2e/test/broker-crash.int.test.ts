import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startKafka } from '@kafka-ref/local-servers'
import { registerPaced, startWorld, useHarness, userRequests, waitFor } from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'
import { expectEachEventOnce } from './support/each-event-once.ts'

const BEFORE = 150
const DURING = 50
const PER_SECOND = 50

// Its own broker: this test kills it, and the shared one must stay up for the other files.
describe('broker killed -9 mid-stream', () => {
  const harness = useHarness()

  it('accepts registrations while the broker is down and turns them all into profiles once it is back', {
    timeout: 180_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'e2e-kafka-'))
    harness.defer(() => rm(dataDir, { recursive: true, force: true }))
    const kafka = await startKafka({ dataDir })
    harness.defer(() => kafka.stop())
    const { db, userService } = await startWorld(harness, { brokers: kafka.bootstrapServers })

    const tag = Date.now().toString(36)
    const flowing = registerPaced(userService.url, userRequests(BEFORE, `a${tag}`), PER_SECOND)
    await waitFor(async () => (await db.profileCounts()).profiles >= BEFORE / 5, {
      timeoutMs: 30_000,
      intervalMs: 20,
      description: 'profiles being created',
    })
    await kafka.kill()
    expect(kafka.pid).toBeUndefined()
    expect(await db.userCount()).toBeLessThan(BEFORE)

    // The user-service answers without Kafka: each registration waits in the outbox.
    const during = await registerPaced(userService.url, userRequests(DURING, `b${tag}`), PER_SECOND)
    expect(during.map((result) => result.status)).toEqual(Array(DURING).fill(201))
    const before = await flowing
    expect(before.map((result) => result.status)).toEqual(Array(BEFORE).fill(201))
    expect(await db.userCount()).toBe(BEFORE + DURING)
    expect(await db.pendingOutbox()).toBeGreaterThanOrEqual(DURING)
    const whileDown = (await db.profileCounts()).profiles
    expect(whileDown).toBeLessThan(BEFORE + DURING)

    const restartedAt = Date.now()
    await kafka.start()
    const counts = await expectEachEventOnce(db, BEFORE + DURING, 120_000)
    console.log(
      `[broker-crash] ${whileDown} profiles while the broker was down; all ${counts.profiles} ${Date.now() - restartedAt} ms after its restart`,
    )
  })
})
