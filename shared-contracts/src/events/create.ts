import { EventSources, EventTypes } from '../names.ts'
import { EVENT_CONTENT_TYPE, SPEC_VERSION } from './envelope.ts'
import { withoutInvalidTraceContext } from './trace-context.ts'
import {
  type UserRegisterDataV1,
  type UserRegisterDataV2,
  UserRegisterEventV1,
  UserRegisterEventV2,
} from './user-register.ts'

export interface EventContext {
  correlationId: string
  /** Defaults to a new random UUID. */
  id?: string
  /** Defaults to now. */
  time?: Date
  /**
   * W3C trace context of the request, captured when the outbox row is written (the relay runs
   * outside the request's async context). Dropped if invalid: a bad tracing header from a client
   * restarts the trace, it never fails the registration.
   */
  traceparent?: string | undefined
  tracestate?: string | undefined
}

/** The attributes of a `user_register` event of `dataversion` about `userId`, without its data. */
function userRegisterAttributes(dataversion: number, userId: string, context: EventContext) {
  return {
    specversion: SPEC_VERSION,
    id: context.id ?? globalThis.crypto.randomUUID(),
    source: EventSources.userService,
    type: EventTypes.userRegister,
    time: (context.time ?? new Date()).toISOString(),
    datacontenttype: EVENT_CONTENT_TYPE,
    dataversion,
    correlationid: context.correlationId,
    subject: userId,
    ...(context.traceparent === undefined ? {} : { traceparent: context.traceparent }),
    ...(context.tracestate === undefined ? {} : { tracestate: context.tracestate }),
  }
}

/** Builds a validated `user_register` v1 event; the subject (and Kafka key) is the user id. */
export function createUserRegisterEvent(
  data: UserRegisterDataV1,
  context: EventContext,
): UserRegisterEventV1 {
  return UserRegisterEventV1.parse(
    withoutInvalidTraceContext({ ...userRegisterAttributes(1, data.userId, context), data }),
  )
}

/** Builds a validated `user_register` v2 event (with the user's locale). */
export function createUserRegisterEventV2(
  data: UserRegisterDataV2,
  context: EventContext,
): UserRegisterEventV2 {
  return UserRegisterEventV2.parse(
    withoutInvalidTraceContext({ ...userRegisterAttributes(2, data.userId, context), data }),
  )
}
