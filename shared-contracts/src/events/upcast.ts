import { UNDETERMINED_LOCALE } from '../fields.ts'
import type { UserRegisterEventV1, UserRegisterEventV2 } from './user-register.ts'

/** The newest `user_register` version: what a consumer's code is written against. */
export type LatestUserRegisterEvent = UserRegisterEventV2

/**
 * Every `user_register` version this build decodes, as the newest one, so a consumer has one code
 * path for the events of every producer version still in the topic (or re-driven from its
 * dead-letter topic). v1 → v2: a v1 producer never asked for a locale, which is exactly what
 * `und` (BCP 47 "undetermined") says. Nothing else changes: the event keeps its id (so the
 * consumer's dedup still recognises it), time, subject and trace context.
 */
export function upcastUserRegister(
  event: UserRegisterEventV1 | UserRegisterEventV2,
): LatestUserRegisterEvent {
  if (event.dataversion === 2) return event
  return { ...event, dataversion: 2, data: { ...event.data, locale: UNDETERMINED_LOCALE } }
}
