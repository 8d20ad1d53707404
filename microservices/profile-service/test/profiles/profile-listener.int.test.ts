import { createTestDatabase } from '@kafka-ref/tools/testing'
import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProfileListener } from '../../src/profiles/profile-listener.ts'
import { openTestDatabase } from '../helpers.ts'

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
    const listener = new ProfileListener(url, pino({ level: 'silent' }))
    const starting = listener.start()
    await listener.close()
    await starting

    expect(listener.isListening).toBe(false)
    // The server closes the session asynchronously after the client's terminate message.
    for (let i = 0; i < 50 && (await listeningConnections()) > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(await listeningConnections()).toBe(0)
  })

  it('tells waiters that began while it was reconnecting to look again once it listens again', async () => {
    const listener = new ProfileListener(url, pino({ level: 'silent' }))
    await listener.start()
    try {
      await sql`
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query ilike 'LISTEN%'
      `.execute(admin)
      const until = async (condition: () => boolean) => {
        for (let i = 0; i < 250 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
        expect(condition()).toBe(true)
      }
      await until(() => !listener.isListening)
      // Its notification, if any, would have been sent while nobody listened.
      const waiter = listener.wait('6f1c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4', 20_000)
      await until(() => listener.isListening)
      const woken = await Promise.race([
        waiter.done,
        new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 2_000)),
      ])
      expect(woken).toBe(true)
    } finally {
      await listener.close()
    }
  })
})
