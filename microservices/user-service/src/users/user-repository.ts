import type { UserResponse } from '@kafka-ref/shared-contracts'
import type { Kysely, Transaction } from 'kysely'
import { UNIQUE_EMAIL_INDEX, UNIQUE_USERNAME_INDEX } from '../db/migrations/0001-create-users.ts'
import type { Database, UserRow } from '../db/schema.ts'
import { EmailTaken, UsernameTaken } from './errors.ts'

export interface NewUser {
  id: string
  email: string
  username: string
  displayName: string | null
  passwordHash: string
}

/** The public view of a row: the hash never leaves this module. */
export function toUserResponse(row: Omit<UserRow, 'password_hash'>): UserResponse {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at.toISOString(),
  }
}

const PUBLIC_COLUMNS = ['id', 'email', 'username', 'display_name', 'created_at'] as const

const UNIQUE_VIOLATION = '23505'

/** Maps the unique index that rejected an insert to the client error it means. */
export function uniqueViolationError(error: unknown) {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string }
  if (code !== UNIQUE_VIOLATION) return undefined
  if (constraint === UNIQUE_EMAIL_INDEX) return new EmailTaken()
  if (constraint === UNIQUE_USERNAME_INDEX) return new UsernameTaken()
  return undefined
}

export async function insertUser(trx: Transaction<Database>, user: NewUser) {
  return trx
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email,
      username: user.username,
      display_name: user.displayName,
      password_hash: user.passwordHash,
    })
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirstOrThrow()
}

export async function findUserById(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst()
}
