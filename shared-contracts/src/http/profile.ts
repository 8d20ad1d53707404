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

/** The `code` of the problems `GET /profile/:id` answers with, besides the common ones. */
export const ProfileProblemCodes = {
  /** 404: not (yet) created; with `waitMs`, still not created when the wait ended. */
  notFound: 'PROFILE_NOT_FOUND',
  /**
   * 503 with `Retry-After`: too many requests wait on this instance. Only the wait is refused: a
   * profile that exists is still served, and the same request without `waitMs` is answered.
   */
  waitCapacityExceeded: 'PROFILE_WAIT_CAPACITY_EXCEEDED',
} as const

/** Upper bound of `waitMs`, so a lookup never holds a connection for long. */
export const PROFILE_MAX_WAIT_MS = 10_000

export const ProfileParams = z.object({ id: UserId })
export type ProfileParams = z.infer<typeof ProfileParams>

export const ProfileQuery = z.object({
  /** Wait up to this long for a profile that does not exist yet (e.g. right after registering). */
  waitMs: z.coerce.number().int().min(0).max(PROFILE_MAX_WAIT_MS).default(0),
})
export type ProfileQuery = z.infer<typeof ProfileQuery>
