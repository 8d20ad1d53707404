import { randomUUID } from 'node:crypto'
import { DeadLetterHeaders } from '@kafka-ref/shared-contracts'
import {
  createWorld,
  Databases,
  type Delivered,
  fixtureVectors,
  getProfile,
  headersOf,
  sortedIds,
  startService,
  TestConsumer,
  TestProducer,
  useHarness,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

interface ForeignEvent {
  id: string
  subject: string
  correlationid: string
  data: { userId: string; username: string; displayName?: string }
}

// Another team's client writes the topic with its own library and no help from our codec: what
// the contract (the committed fixtures) allows must work, what it rejects must be dead-lettered.
describe('messages from a producer other than ours', () => {
  const harness = useHarness()

  it('creates profiles from valid fixture events and dead-letters every invalid fixture with its reason', {
    timeout: 120_000,
  }, async () => {
    const vectors = await fixtureVectors()
    const valid = vectors.filter((vector) => vector.ok)
    const invalid = vectors.filter((vector) => !vector.ok)
    expect(valid.length).toBeGreaterThan(0)
    expect(invalid.length).toBeGreaterThan(0)

    const world = await createWorld()
    const db = harness.track(new Databases(world))
    const profileService = await startService(harness, world, 'profile-service')
    const producer = harness.track(await TestProducer.connect(world.brokers))

    // Fresh ids, so each valid fixture is a new event about a new user.
    const events = valid.map((vector) => {
      const event = JSON.parse(vector.bytes.toString('utf8')) as ForeignEvent
      const userId = randomUUID()
      event.id = randomUUID()
      event.subject = userId
      event.data.userId = userId
      event.correlationid = `foreign-${randomUUID()}`
      return event
    })
    // The invalid ones go first, keyed like the first valid event, hence to its partition: its
    // profile appearing proves the poison before it did not block the partition.
    const poisonKey = events[0]!.data.userId
    const poisoned: Array<{ reason: string; bytes: Buffer; delivered: Delivered }> = []
    for (const vector of invalid) {
      const delivered = await producer.send(world.topic, { value: vector.bytes, key: poisonKey })
      poisoned.push({ reason: vector.reason!, bytes: vector.bytes, delivered })
    }
    for (const event of events) {
      await producer.send(world.topic, { value: JSON.stringify(event), key: event.data.userId })
    }

    for (const event of events) {
      const profile = await getProfile(profileService.url, event.data.userId, 10_000)
      expect(profile.status, event.data.username).toBe(200)
      expect(profile.body).toMatchObject({
        userId: event.data.userId,
        username: event.data.username,
        displayName: event.data.displayName ?? event.data.username,
      })
    }
    const counts = await db.settledProfileCounts(events.length, 30_000)
    expect(counts).toEqual({
      profiles: events.length,
      distinctUsers: events.length,
      processedEvents: events.length,
    })
    // Nothing from the invalid fixtures (some name a well-formed user id) became a profile.
    expect(await db.profileUserIds()).toEqual(sortedIds(events.map((event) => event.data.userId)))
    expect(await db.processedEventIds()).toEqual(sortedIds(events.map((event) => event.id)))

    const reader = harness.track(await TestConsumer.connect(world.brokers, world.deadLetterTopic))
    // A second longer than needed: a dead letter too many would show up too.
    const dead = await reader.take(invalid.length, { timeoutMs: 30_000, settleMs: 1_000 })
    expect(dead, 'one dead letter per invalid message').toHaveLength(invalid.length)

    for (const original of poisoned) {
      const { partition, offset } = original.delivered
      const copy = dead.find((message) => {
        const headers = headersOf(message)
        return (
          headers[DeadLetterHeaders.partition] === String(partition) &&
          headers[DeadLetterHeaders.offset] === String(offset)
        )
      })
      expect(copy, `dead letter of ${original.reason} at ${partition}/${offset}`).toBeDefined()
      const headers = headersOf(copy!)
      expect(headers[DeadLetterHeaders.reason]).toBe(original.reason)
      expect(headers[DeadLetterHeaders.topic]).toBe(world.topic)
      expect(headers[DeadLetterHeaders.error]).toMatch(/\S/)
      expect(Date.parse(headers[DeadLetterHeaders.failedAt] ?? '')).not.toBeNaN()
      // The exact bytes and key, so the message can be inspected and replayed as it was.
      expect(Buffer.compare(copy!.value ?? Buffer.alloc(0), original.bytes)).toBe(0)
      expect(copy!.key?.toString()).toBe(poisonKey)
    }
  })
})
