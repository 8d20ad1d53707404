import { EventSources, EventTypes } from '../names.ts'
import { EVENT_CONTENT_TYPE, SPEC_VERSION } from './envelope.ts'
import { type UserRegisterDataV1, UserRegisterEventV1 } from './user-register.ts'

export interface EventContext {
  correlationId: string
  /** Defaults to a new random UUID. */
  id?: string
  /** Defaults to now. */
  time?: Date
}

/** Builds a validated `user_register` v1 event; the subject (and Kafka key) is the user id. */
export function createUserRegisterEvent(
  data: UserRegisterDataV1,
  context: EventContext,
): UserRegisterEventV1 {
  return UserRegisterEventV1.parse({
    specversion: SPEC_VERSION,
    id: context.id ?? globalThis.crypto.randomUUID(),
    source: EventSources.userService,
    type: EventTypes.userRegister,
    time: (context.time ?? new Date()).toISOString(),
    datacontenttype: EVENT_CONTENT_TYPE,
    dataversion: 1,
    correlationid: context.correlationId,
    subject: data.userId,
    data,
  })
}
