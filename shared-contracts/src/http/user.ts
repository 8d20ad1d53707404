import { z } from 'zod'
import { DisplayName, Email, Password, Timestamp, UserId, Username } from '../fields.ts'

export const RegisterUserRequest = z
  .object({
    email: Email,
    username: Username,
    password: Password,
    displayName: DisplayName.optional(),
  })
  .meta({ id: 'RegisterUserRequest' })
export type RegisterUserRequest = z.infer<typeof RegisterUserRequest>

/** A user as the API shows it: never the password or its hash. */
export const UserResponse = z
  .object({
    id: UserId,
    email: Email,
    username: Username,
    displayName: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'User' })
export type UserResponse = z.infer<typeof UserResponse>

export const UserIdParams = z.object({ id: UserId })
export type UserIdParams = z.infer<typeof UserIdParams>
