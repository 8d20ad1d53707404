import type {
  UserRegisterDataV1,
  UserRegisterEventV1,
  UserRegisterEventV2,
} from '../../src/events/user-register.ts'

/** Fixed values, so assertions can name them. */
export const USER_ID = '0b5c1c2e-7f4a-4d8e-9c1a-3f2b6a7d8e90'
export const EVENT_ID = '5f3c8a9e-2b1d-4e6f-8a7b-9c0d1e2f3a4b'
export const CORRELATION_ID = 'req-7d2f9c41'
export const TIME = '2025-01-15T10:30:00.000Z'
/** The W3C Trace Context examples (sampled). */
export const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
export const TRACESTATE = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'

export function userData(overrides: Partial<UserRegisterDataV1> = {}): UserRegisterDataV1 {
  return {
    userId: USER_ID,
    email: 'ada@example.com',
    username: 'ada_lovelace',
    registeredAt: TIME,
    ...overrides,
  }
}

/** A valid `user_register` v1 event, as plain JSON-compatible data. */
export function userRegisterEvent(overrides: Partial<UserRegisterEventV1> = {}): UserRegisterEventV1 {
  return {
    specversion: '1.0',
    id: EVENT_ID,
    source: '/user-service',
    type: 'user_register',
    time: TIME,
    datacontenttype: 'application/json',
    dataversion: 1,
    correlationid: CORRELATION_ID,
    subject: USER_ID,
    data: userData(),
    ...overrides,
  }
}

/** The same event as `user_register` v2: its data with a locale. */
export function userRegisterEventV2(
  overrides: Partial<UserRegisterEventV2> = {},
  locale = 'en-GB',
): UserRegisterEventV2 {
  return { ...userRegisterEvent(), dataversion: 2, data: { ...userData(), locale }, ...overrides }
}
