import type { Migration } from 'kysely'
import * as createUsers from './0001-create-users.ts'
import * as createOutbox from './0002-create-outbox.ts'
import * as leaseOutbox from './0003-lease-outbox.ts'
import * as addUserLocale from './0004-add-user-locale.ts'

/** Applied in name order; a released migration is never edited, only followed by a new one. */
export const migrations: Record<string, Migration> = {
  '0001-create-users': createUsers,
  '0002-create-outbox': createOutbox,
  '0003-lease-outbox': leaseOutbox,
  '0004-add-user-locale': addUserLocale,
}
