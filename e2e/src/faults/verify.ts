import { DeadLetterHeaders, encode } from '@kafka-ref/shared-contracts'
import {
  committedOffsets,
  endOffsets,
  headersOf,
  readTopic,
  type TestProducer,
  userRegisterEvent,
  withClient,
} from '@kafka-ref/testkit/clients'
import type pg from 'pg'
import type { SentPoison } from './load.ts'
import type { FaultWorld } from './world.ts'

/** What the system stored and committed, read from the databases and the broker themselves. */
export interface State {
  users: number
  profiles: number
  /** Users without a profile, and profiles without a user. */
  missing: number
  unexpected: number
  pendingOutbox: number
  /** Events in the outbox vs events the consumer recorded: equal sets mean each applied once. */
  outboxEvents: number
  processedEvents: number
  processedMatchOutbox: boolean
  deadLetters: number
  /** Poison messages with no dead letter of the right reason yet. */
  poisonsMissing: number
  /** Dead letters beyond one per poison message (each a redelivery after a crash before the commit). */
  duplicateDeadLetters: number
  /** Dead letters that are not one of our poison messages. */
  strayDeadLetters: number
  committed: number[]
  ends: number[]
}

const rows = <T extends pg.QueryResultRow>(url: string, text: string) =>
  withClient(url, async (client) => (await client.query<T>(text)).rows)

export async function readState(world: FaultWorld, poisons: readonly SentPoison[]): Promise<State> {
  const [users, outbox, pending] = await Promise.all([
    rows<{ id: string }>(world.userDatabaseUrl, 'select id from users'),
    rows<{ id: string }>(world.userDatabaseUrl, `select value::jsonb->>'id' as id from outbox`),
    rows<{ n: number }>(
      world.userDatabaseUrl,
      'select count(*)::int as n from outbox where published_at is null',
    ),
  ])
  const [profiles, processed] = await Promise.all([
    rows<{ id: string }>(world.profileDatabaseUrl, 'select user_id::text as id from profiles'),
    rows<{ id: string }>(world.profileDatabaseUrl, 'select event_id::text as id from processed_events'),
  ])
  const userIds = new Set(users.map((row) => row.id))
  const profileIds = new Set(profiles.map((row) => row.id))
  const outboxIds = new Set(outbox.map((row) => row.id.toLowerCase()))
  const processedIds = new Set(processed.map((row) => row.id))

  const deadLetters = await readTopic(world.brokers, world.deadLetterTopic)
  const found = new Map<string, string[]>()
  for (const message of deadLetters) {
    const headers = headersOf(message)
    const at = `${headers[DeadLetterHeaders.partition]}/${headers[DeadLetterHeaders.offset]}`
    found.set(at, [...(found.get(at) ?? []), headers[DeadLetterHeaders.reason] ?? '?'])
  }
  const poisonAt = new Map(poisons.map((poison) => [`${poison.partition}/${poison.offset}`, poison]))
  let poisonsMissing = 0
  let duplicateDeadLetters = 0
  for (const [at, poison] of poisonAt) {
    const reasons = found.get(at) ?? []
    if (!reasons.includes(poison.reason)) poisonsMissing += 1
    duplicateDeadLetters += Math.max(0, reasons.length - 1)
  }
  const strayDeadLetters = [...found.keys()].filter((at) => !poisonAt.has(at)).length

  const [committed, ends] = await Promise.all([
    committedOffsets(world.brokers, world.groupId, world.topic),
    endOffsets(world.brokers, world.topic),
  ])
  return {
    users: userIds.size,
    profiles: profileIds.size,
    missing: [...userIds].filter((id) => !profileIds.has(id)).length,
    unexpected: [...profileIds].filter((id) => !userIds.has(id)).length,
    pendingOutbox: pending[0]!.n,
    outboxEvents: outboxIds.size,
    processedEvents: processedIds.size,
    processedMatchOutbox:
      outboxIds.size === processedIds.size && [...outboxIds].every((id) => processedIds.has(id)),
    deadLetters: deadLetters.length,
    poisonsMissing,
    duplicateDeadLetters,
    strayDeadLetters,
    committed,
    ends,
  }
}

/** Everything registered became exactly one profile, every poison is dead-lettered, every offset committed. */
export function hasConverged(state: State): boolean {
  return (
    state.missing === 0 &&
    state.unexpected === 0 &&
    state.pendingOutbox === 0 &&
    state.processedMatchOutbox &&
    state.poisonsMissing === 0 &&
    state.strayDeadLetters === 0 &&
    state.committed.every((offset, i) => offset === state.ends[i])
  )
}

/**
 * One fresh valid event on every partition must become a profile: a partition left paused (or a
 * consumer stuck) would hold its probe back while everything above still looked converged.
 */
export async function probePartitions(world: FaultWorld, producer: TestProducer, partitions: number) {
  const userIds: string[] = []
  const tag = `probe${Date.now().toString(36)}`
  for (let partition = 0; partition < partitions; partition++) {
    const event = userRegisterEvent(tag, partition)
    userIds.push(event.data.userId)
    await producer.send(world.topic, { ...encode(event), partition })
  }
  return userIds
}

export async function profilesExist(world: FaultWorld, userIds: readonly string[]): Promise<boolean> {
  const found = await rows<{ n: number }>(
    world.profileDatabaseUrl,
    `select count(*)::int as n from profiles where user_id::text in (${userIds.map((id) => `'${id}'`).join(',')})`,
  )
  return found[0]!.n === userIds.length
}
