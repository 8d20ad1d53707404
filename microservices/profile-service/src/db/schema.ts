import type { Generated, Selectable } from 'kysely'

export interface ProfilesTable {
  /** The user id from the event: one profile per user. */
  user_id: string
  username: string
  display_name: string
  /** BCP 47 language tag from `user_register` v2; `und` (undetermined) for a v1 event. */
  locale: Generated<string>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

/**
 * Ids of the events already applied, written in the same transaction as their effect. Indexed by
 * `processed_at` (`Indexes.processedEventsAge`), which the retention cleanup deletes by.
 */
export interface ProcessedEventsTable {
  event_id: string
  processed_at: Generated<Date>
}

export interface Database {
  profiles: ProfilesTable
  processed_events: ProcessedEventsTable
}

export type ProfileRow = Selectable<ProfilesTable>

/** Index names, for the migrations that create them and the code that relies on them. */
export const Indexes = {
  processedEventsAge: 'processed_events_processed_at_idx',
} as const
