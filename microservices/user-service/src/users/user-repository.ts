import type { PublicUserResponse, RegisterUserResponse } from '@kafka-ref/shared-contracts'
import type { Kysely, Transaction } from 'kysely'
import { type Database, UserIndexes, type UserRow } from '../db/schema.ts'
import { EmailTaken, UsernameTaken } from './errors.ts'

export interface NewUser {
  id: string
  email: string
  username: string
  displayName: string | null
  locale: string
  passwordHash: string
}

type ShownRow = Pick<UserRow, 'id' | 'username' | 'display_name' | 'created_at'>

/** What anyone may see of a user; the hash and the email never leave this module this way. */
export function toPublicUser(row: ShownRow): PublicUserResponse {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at.toISOString(),
  }
}

/** What the registering client gets back: the public view and its own email. */
export function toRegisteredUser(row: ShownRow & Pick<UserRow, 'email'>): RegisterUserResponse {
  return { ...toPublicUser(row), email: row.email }
}

/** Columns a registration returns; a lookup by id reads the public ones only. */
const REGISTERED_COLUMNS = ['id', 'email', 'username', 'display_name', 'locale', 'created_at'] as const
const PUBLIC_COLUMNS = ['id', 'username', 'display_name', 'created_at'] as const

const UNIQUE_VIOLATION = '23505'

/** Maps the unique index that rejected an insert to the client error it means. */
export function uniqueViolationError(error: unknown) {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string }
  if (code !== UNIQUE_VIOLATION) return undefined
  if (constraint === UserIndexes.uniqueEmail) return new EmailTaken()
  if (constraint === UserIndexes.uniqueUsername) return new UsernameTaken()
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
      locale: user.locale,
      password_hash: user.passwordHash,
    })
    .returning(REGISTERED_COLUMNS)
    .executeTakeFirstOrThrow()
}

export async function findUserById(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst()
}
