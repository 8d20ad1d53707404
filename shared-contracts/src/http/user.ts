import { z } from 'zod'
import { DisplayName, Email, Locale, Password, Text, Timestamp, UserId, Username } from '../fields.ts'

export const RegisterUserRequest = z
  .object({
    email: Email,
    username: Username,
    password: Password,
    displayName: DisplayName.optional(),
    /** The language the user reads (BCP 47, e.g. `en-GB`); `und` (undetermined) when not given. */
    locale: Locale.optional(),
  })
  .meta({ id: 'RegisterUserRequest' })
export type RegisterUserRequest = z.infer<typeof RegisterUserRequest>

/**
 * A user as anyone may see it (`GET /user/{id}`): the id is public (it is the `Location` of the
 * registration and a profile's `userId`), so nothing private belongs here. Never the password or
 * its hash, and not the email.
 */
export const PublicUserResponse = z
  .object({
    id: UserId,
    username: Username,
    displayName: Text.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'PublicUser' })
export type PublicUserResponse = z.infer<typeof PublicUserResponse>

/** The `201` of a registration, to the registering client alone: the public fields and the email. */
export const RegisterUserResponse = PublicUserResponse.extend({ email: Email }).meta({ id: 'RegisteredUser' })
export type RegisterUserResponse = z.infer<typeof RegisterUserResponse>

export const UserIdParams = z.object({ id: UserId })
export type UserIdParams = z.infer<typeof UserIdParams>
