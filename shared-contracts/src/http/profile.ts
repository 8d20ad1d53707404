import { z } from 'zod'
import { Locale, Text, Timestamp, UserId, Username } from '../fields.ts'

export const ProfileResponse = z
  .object({
    userId: UserId,
    username: Username,
    /** Defaults to the username when the user gave none. */
    displayName: Text,
    /** The language the user reads (BCP 47); `und` when the user did not say (or registered before it was asked). */
    locale: Locale,
    createdAt: Timestamp,
  })
  .meta({ id: 'Profile' })
export type ProfileResponse = z.infer<typeof ProfileResponse>

/** Upper bound of `waitMs`, so a lookup never holds a connection for long. */
export const PROFILE_MAX_WAIT_MS = 10_000

export const ProfileParams = z.object({ id: UserId })
export type ProfileParams = z.infer<typeof ProfileParams>

export const ProfileQuery = z.object({
  /** Wait up to this long for a profile that does not exist yet (e.g. right after registering). */
  waitMs: z.coerce.number().int().min(0).max(PROFILE_MAX_WAIT_MS).default(0),
})
export type ProfileQuery = z.infer<typeof ProfileQuery>
