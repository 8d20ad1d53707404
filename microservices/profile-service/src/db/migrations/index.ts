import type { Migration } from 'kysely'
import * as createProfiles from './0001-create-profiles.ts'
import * as indexProcessedEventsAge from './0002-index-processed-events-age.ts'
import * as addProfileLocale from './0003-add-profile-locale.ts'

/** Applied in name order; a released migration is never edited, only followed by a new one. */
export const migrations: Record<string, Migration> = {
  '0001-create-profiles': createProfiles,
  '0002-index-processed-events-age': indexProcessedEventsAge,
  '0003-add-profile-locale': addProfileLocale,
}
