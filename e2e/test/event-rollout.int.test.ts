import {
  ConsumerGroups,
  DeadLetterHeaders,
  DecodeErrorReasons,
  namespaced,
} from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  createWorld,
  Databases,
  endOffsets,
  headersOf,
  readTopic,
  register,
  runDlq,
  startService,
  type TestWorld,
  useHarness,
  userRequests,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

const PER_INSTANCE = 12
const LOCALE = 'fr-FR'
const sum = (offsets: number[]) => offsets.reduce((total, offset) => total + Math.max(0, offset), 0)

/**
 * user_register v2 rolled out in both deploy orders, on the real broker and PostgreSQL, with the
 * services as processes: the order the contracts README prescribes (consumers first), and the
 * wrong one (producer first), which costs dead letters and a re-drive but never an event.
 */
describe('rolling out user_register v2', () => {
  const harness = useHarness()

  /** Registers the requests through `url`, each with the same locale; returns the user ids. */
  async function registerAll(url: string, tag: string): Promise<string[]> {
    const results = await Promise.all(
      userRequests(PER_INSTANCE, tag).map((request) => register(url, { ...request, locale: LOCALE })),
    )
    expect(results.map((result) => result.status)).toEqual(Array(PER_INSTANCE).fill(201))
    return results.map((result) => result.body.id)
  }

  /** The consumer group has read every partition to its end: no message holds one up. */
  async function consumedToTheEnd(world: TestWorld) {
    const group = namespaced(ConsumerGroups.profileService, world.namespace)
    const end = await endOffsets(world.brokers, world.topic)
    await waitFor(
      async () => (await committedOffsets(world.brokers, group, world.topic)).every((o, i) => o === end[i]),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        description: `every partition of ${world.topic} consumed to its end (${end})`,
      },
    )
  }

  /** Each registered user has exactly one profile, made from its own event, with the locale its version carries. */
  async function expectProfiles(db: Databases, locales: Record<string, string>) {
    const users = Object.keys(locales).length
    expect(await db.settledProfileCounts(users, 60_000)).toEqual({
      profiles: users,
      distinctUsers: users,
      processedEvents: users,
    })
    expect(await db.profileUserIds()).toEqual(await db.userIds())
    expect(await db.processedEventIds()).toEqual(await db.outboxEventIds())
    const { rows } = await db.profiles.query<{ id: string; locale: string }>(
      'select user_id as id, locale from profiles',
    )
    expect(Object.fromEntries(rows.map((row) => [row.id, row.locale]))).toEqual(locales)
  }

  const locales = (ids: string[], locale: string) => Object.fromEntries(ids.map((id) => [id, locale]))

  it('consumers first, then the producer: no dead letter, every profile right', {
    timeout: 240_000,
  }, async () => {
    const world = await createWorld()
    const db = harness.track(new Databases(world))
    // The consumers are upgraded first: this build accepts v1 and v2.
    await startService(harness, world, 'profile-service')
    const v1 = await startService(harness, world, 'user-service', { label: 'user-service v1' })
    const before = await registerAll(v1.url, 'before')

    // Then the producer, instance by instance: for a while both versions are written side by side.
    const v2 = await startService(harness, world, 'user-service', {
      label: 'user-service v2',
      env: { USER_REGISTER_DATA_VERSION: '2' },
    })
    const during = [...(await registerAll(v1.url, 'during_v1')), ...(await registerAll(v2.url, 'during_v2'))]
    await v1.stop()
    const after = await registerAll(v2.url, 'after')

    await consumedToTheEnd(world)
    await expectProfiles(db, {
      ...locales([...before, ...during.slice(0, PER_INSTANCE)], 'und'),
      ...locales([...during.slice(PER_INSTANCE), ...after], LOCALE),
    })
    expect(sum(await endOffsets(world.brokers, world.deadLetterTopic)), 'dead letters').toBe(0)
  })

  it('the producer first: v2 dead-lettered as unsupported, nothing blocked; re-driven after the upgrade, each one profile', {
    timeout: 300_000,
  }, async () => {
    const world = await createWorld()
    const db = harness.track(new Databases(world))
    // A consumer that knows v1 only (an instance held at it, as an old build would be).
    const old = await startService(harness, world, 'profile-service', {
      label: 'profile-service v1 only',
      env: { CONSUMER_ACCEPTED_DATA_VERSIONS: '1' },
    })
    const v1 = await startService(harness, world, 'user-service', { label: 'user-service v1' })
    const v2 = await startService(harness, world, 'user-service', {
      label: 'user-service v2',
      env: { USER_REGISTER_DATA_VERSION: '2' },
    })
    const [written1, written2] = await Promise.all([
      registerAll(v1.url, 'old_version'),
      registerAll(v2.url, 'new_version'),
    ])
    const v1Users = written1
    const v2Users = written2

    // Every partition read to its end: the v1 events behind the v2 ones were stored, not held up.
    await consumedToTheEnd(world)
    expect(await db.profileUserIds()).toEqual([...v1Users].sort())
    const dead = await readTopic(world.brokers, world.deadLetterTopic)
    expect(dead).toHaveLength(PER_INSTANCE)
    for (const message of dead) {
      expect(headersOf(message)).toMatchObject({
        [DeadLetterHeaders.reason]: DecodeErrorReasons.unsupportedVersion,
        [DeadLetterHeaders.error]: "'user_register' data version 2 is not supported here (accepted: 1)",
      })
    }
    expect(dead.map((message) => message.key?.toString()).sort()).toEqual([...v2Users].sort())

    // The consumer is upgraded; an operator looks, then re-drives.
    await old.stop()
    await startService(harness, world, 'profile-service', { label: 'profile-service upgraded' })
    const env = { KAFKA_BROKERS: world.brokers, KAFKA_TOPIC_NAMESPACE: world.namespace }
    const look = await runDlq(['--dry-run', '--json'], env)
    expect(look.code, look.stderr.join('\n')).toBe(0)
    expect(JSON.parse(look.stdout.join('\n'))).toMatchObject({
      outcomes: { redriven: PER_INSTANCE, filtered: 0, capped: 0, truncated: 0, invalid: 0 },
      byReason: { unsupported_version: PER_INSTANCE },
      byDataVersion: { 2: PER_INSTANCE },
    })
    const redrive = await runDlq(['--reason', 'unsupported_version'], env)
    expect(redrive.code, redrive.stderr.join('\n')).toBe(0)
    expect(redrive.stdout.at(-1)).toMatch(
      new RegExp(`^pnpm dlq: redriven ${PER_INSTANCE}, filtered 0, capped 0`),
    )

    await consumedToTheEnd(world)
    await expectProfiles(db, { ...locales(v1Users, 'und'), ...locales(v2Users, LOCALE) })
    // Nothing was dead-lettered again.
    expect(sum(await endOffsets(world.brokers, world.deadLetterTopic))).toBe(PER_INSTANCE)
  })
})
