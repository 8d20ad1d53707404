import type { z } from 'zod'
import { EventTypes } from '../names.ts'
import { UserRegisterEventV1, UserRegisterEventV2 } from './user-register.ts'

/**
 * Every event type and the data versions this build understands. A new data version is added
 * next to the old one; an existing entry is never edited.
 */
export const EventRegistry = {
  [EventTypes.userRegister]: { 1: UserRegisterEventV1, 2: UserRegisterEventV2 },
} as const satisfies Record<string, Record<number, z.ZodType>>

export type KnownEvent = UserRegisterEventV1 | UserRegisterEventV2
