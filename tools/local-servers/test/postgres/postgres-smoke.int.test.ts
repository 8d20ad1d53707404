import { createTestDatabase } from '@kafka-ref/testkit'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'

describe('shared PostgreSQL server', () => {
  const clients: pg.Client[] = []
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()))
  })

  it('answers select version() in a per-file database', async () => {
    const url = await createTestDatabase('smoke')
    const client = new pg.Client({ connectionString: url })
    clients.push(client)
    await client.connect()
    const { rows } = await client.query<{ version: string; db: string }>(
      'select version() as version, current_database() as db',
    )
    console.log(`[postgres-smoke] ${rows[0]!.version} (database ${rows[0]!.db})`)
    expect(rows[0]!.version).toMatch(/^PostgreSQL /)
    expect(url.endsWith(`/${rows[0]!.db}`)).toBe(true)
  })
})
