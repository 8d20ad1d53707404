import { EventSources, EventTypes } from '../names.ts'
import { EVENT_CONTENT_TYPE, SPEC_VERSION } from './envelope.ts'
import { withoutInvalidTraceContext } from './trace-context.ts'
import { type UserRegisterDataV1, UserRegisterEventV1 } from './user-register.ts'

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

/** Builds a validated `user_register` v1 event; the subject (and Kafka key) is the user id. */
export function createUserRegisterEvent(
  data: UserRegisterDataV1,
  context: EventContext,
): UserRegisterEventV1 {
  return UserRegisterEventV1.parse(
    withoutInvalidTraceContext({
      specversion: SPEC_VERSION,
      id: context.id ?? globalThis.crypto.randomUUID(),
      source: EventSources.userService,
      type: EventTypes.userRegister,
      time: (context.time ?? new Date()).toISOString(),
      datacontenttype: EVENT_CONTENT_TYPE,
      dataversion: 1,
      correlationid: context.correlationId,
      subject: data.userId,
      ...(context.traceparent === undefined ? {} : { traceparent: context.traceparent }),
      ...(context.tracestate === undefined ? {} : { tracestate: context.tracestate }),
      data,
    }),
  )
}
