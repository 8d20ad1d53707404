import { z } from 'zod'
import { DisplayName, Email, Locale, Timestamp, UserId, Username } from '../fields.ts'
import { EventTypes } from '../names.ts'
import { envelopeOf } from './envelope.ts'

/**
 * `user_register` data, version 1. Never add a password or a hash here: events are read by every
 * consumer and kept for the topic's whole retention. Frozen: a change that is not an optional
 * addition is a new version (the compatibility check in `test/compat/` fails on it).
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

/**
 * `user_register` data, version 2: v1 plus a required `locale`, the language the user reads. Every
 * consumer that shows the user something (the profile page, later mail) needs it, and with an
 * optional field each would guess its own default; required, the producer states it once (`und`,
 * BCP 47's "undetermined", when the user did not say). A new required field breaks v1 readers,
 * hence a new version. Written out rather than extended from v1, so v1 stays frozen on its own.
 */
export const UserRegisterDataV2 = z.object({
  userId: UserId,
  email: Email,
  username: Username,
  displayName: DisplayName.optional(),
  registeredAt: Timestamp,
  locale: Locale,
})
export type UserRegisterDataV2 = z.infer<typeof UserRegisterDataV2>

export const UserRegisterEventV2 = envelopeOf(EventTypes.userRegister, 2, UserRegisterDataV2)
export type UserRegisterEventV2 = z.infer<typeof UserRegisterEventV2>
