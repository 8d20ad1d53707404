import type { Generated, Selectable } from 'kysely'

export interface ProfilesTable {
  /** The user id from the event: one profile per user. */
  user_id: string
  username: string
  display_name: string
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

/** Ids of the events already applied, written in the same transaction as their effect. */
export interface ProcessedEventsTable {
  event_id: string
  processed_at: Generated<Date>
}

export interface Database {
  profiles: ProfilesTable
  processed_events: ProcessedEventsTable
}

export type ProfileRow = Selectable<ProfilesTable>
