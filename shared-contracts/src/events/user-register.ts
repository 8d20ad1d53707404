import { z } from 'zod'
import { DisplayName, Email, Timestamp, UserId, Username } from '../fields.ts'
import { EventTypes } from '../names.ts'
import { envelopeOf } from './envelope.ts'

/**
 * `user_register` data, version 1. Never add a password or a hash here: events are read by every
 * consumer and kept for the topic's whole retention.
 */
export const UserRegisterDataV1 = z.object({
  userId: UserId,
  email: Email,
  username: Username,
  displayName: DisplayName.optional(),
  registeredAt: Timestamp,
})
export type UserRegisterDataV1 = z.infer<typeof UserRegisterDataV1>

export const UserRegisterEventV1 = envelopeOf(EventTypes.userRegister, 1, UserRegisterDataV1)
export type UserRegisterEventV1 = z.infer<typeof UserRegisterEventV1>
