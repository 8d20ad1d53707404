import { type EncodedMessage, encode } from '@kafka-ref/shared-contracts'
import { userRegisterEvent } from '@kafka-ref/testkit/clients'
import { hashPassword } from '@kafka-ref/user-service'
import type pg from 'pg'

export interface PrefillRow {
  userId: string
  email: string
  username: string
  message: EncodedMessage
}

/** What POST /user/register would have committed for `count` users: user rows and encoded events. */
export function prefillRows(count: number): PrefillRow[] {
  const tag = `o${Date.now().toString(36)}`
  return Array.from({ length: count }, (_, index) => {
    const event = userRegisterEvent(tag, index)
    const { userId, email, username } = event.data
    return { userId, email, username, message: encode(event) }
  })
}

/** The test cost: the relay never reads the hash, it only gives the rows their real size. */
const PLACEHOLDER_HASH_COST = 4

/** One transaction, as if the users had registered while no relay ran; the relay sees all rows at once. */
export async function fillOutbox(client: pg.Client, topic: string, rows: PrefillRow[]): Promise<void> {
  const hash = await hashPassword('correct horse battery staple', PLACEHOLDER_HASH_COST)
  await client.query('begin')
  await client.query(
    `insert into users (id, email, username, password_hash)
     select id, email, username, $4 from unnest($1::uuid[], $2::text[], $3::text[]) as u(id, email, username)`,
    [rows.map((row) => row.userId), rows.map((row) => row.email), rows.map((row) => row.username), hash],
  )
  await client.query(
    `insert into outbox (topic, key, value, headers)
     select $1, key, value, headers from unnest($2::text[], $3::text[], $4::jsonb[]) as o(key, value, headers)`,
    [
      topic,
      rows.map((row) => row.message.key),
      rows.map((row) => row.message.value),
      rows.map((row) => JSON.stringify(row.message.headers)),
    ],
  )
  await client.query('commit')
}
