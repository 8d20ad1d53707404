import { createTestDatabase, waitFor } from '@kafka-ref/testkit'
import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { ProfileListener } from '../../src/profiles/profile-listener.ts'
import { PROFILE_CREATED_CHANNEL } from '../../src/profiles/profile-repository.ts'
import { httpOnlyEnv, openTestDatabase } from '../helpers.ts'
import { listenerBehindProxy } from './listener-behind-proxy.ts'

/** PROFILE_LISTENER_HEARTBEAT_MS and PROFILE_LISTENER_HEARTBEAT_TIMEOUT_MS as configured by default. */
const HEARTBEAT = parseConfig(httpOnlyEnv('postgres://localhost/unused')).profiles

// A waiter's `done` is true when it was woken (or told to look again) and false when its own
// timeout ran out: awaiting it is the wait, and its timeout (20-30 s, well below the test's 60 s)
// is the bound.

describe('ProfileListener', () => {
  let url: string
  let admin: ReturnType<typeof openTestDatabase>

  beforeAll(async () => {
    url = await createTestDatabase('profile_listener')
    admin = openTestDatabase(url)
  })
  afterAll(() => admin?.destroy())

  const listeningConnections = async () => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_stat_activity
      where datname = current_database() and query ilike 'LISTEN%'
    `.execute(admin)
    return Number(rows[0]!.n)
  }

  it('keeps no connection open when closed while it is still connecting (shutdown during a reconnect)', async () => {
    const listener = new ProfileListener(url, pino({ level: 'silent' }), HEARTBEAT)
    const starting = listener.start()
    await listener.close()
    await starting

    expect(listener.isListening).toBe(false)
    // The server closes the session asynchronously after the client's terminate message.
    await waitFor(async () => (await listeningConnections()) === 0, {
      timeoutMs: 1_000,
      intervalMs: 20,
      description: 'no LISTEN session left',
    })
  })

  it('tells waiters that began while it was reconnecting to look again once it listens again', async () => {
    const listener = new ProfileListener(url, pino({ level: 'silent' }), HEARTBEAT)
    await listener.start()
    try {
      await sql`
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query ilike 'LISTEN%'
      `.execute(admin)
      await waitFor(() => !listener.isListening, {
        timeoutMs: 5_000,
        intervalMs: 20,
        description: 'connection lost',
      })
      // Its notification, if any, would have been sent while nobody listened.
      const waiter = listener.wait('6f1c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4', 20_000)
      await waitFor(() => listener.isListening, {
        timeoutMs: 5_000,
        intervalMs: 20,
        description: 'listening again',
      })
      expect(await waiter.done).toBe(true)
    } finally {
      await listener.close()
    }
  })

  it('wakes a waiter whatever case its id and the notification spell the UUID in', async () => {
    const listener = new ProfileListener(url, pino({ level: 'silent' }), HEARTBEAT)
    try {
      await listener.start()
      const lower = '3c9e8f7a-6b5d-4c3e-8f2a-1b0c9d8e7f6a'
      const upper = '4D8A7B6C-5E4F-4A3B-9C2D-1E0F9A8B7C6D'
      const waiters = [listener.wait(lower.toUpperCase(), 30_000), listener.wait(upper.toLowerCase(), 30_000)]
      await sql`select pg_notify(${PROFILE_CREATED_CHANNEL}, ${lower}), pg_notify(${PROFILE_CREATED_CHANNEL}, ${upper})`.execute(
        admin,
      )
      expect(await Promise.all(waiters.map((waiter) => waiter.done))).toEqual([true, true])
      expect(listener.waiterCount).toBe(0)
    } finally {
      await listener.close()
    }
  })

  it('notices a connection that went silent, listens again, and tells every waiter to look again', async () => {
    const { listener, proxy } = await listenerBehindProxy(url)
    try {
      await listener.start()
      expect(proxy.accepted).toBe(1)
      const userId = '0b7c2e5a-1d3f-4e6a-9b8c-7d6e5f4a3b2c'
      const waiter = listener.wait(userId, 30_000)
      // No error, no FIN: the connection just stops carrying anything, and its notification is lost.
      proxy.silenceOpenConnections()
      await sql`select pg_notify(${PROFILE_CREATED_CHANNEL}, ${userId})`.execute(admin)

      expect(await waiter.done).toBe(true)
      await waitFor(() => listener.isListening && proxy.accepted === 2, { description: 'listening again' })

      // The new connection carries notifications.
      const next = listener.wait(userId, 30_000)
      await sql`select pg_notify(${PROFILE_CREATED_CHANNEL}, ${userId})`.execute(admin)
      expect(await next.done).toBe(true)
    } finally {
      await listener.close()
      await proxy.close()
    }
  })
})
