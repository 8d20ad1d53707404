import { httpError } from '@kafka-ref/service-kit'

export const EmailTaken = httpError('USER_EMAIL_TAKEN', 409, 'email is already registered')
export const UsernameTaken = httpError('USER_USERNAME_TAKEN', 409, 'username is already taken')
export const UserNotFound = httpError('USER_NOT_FOUND', 404, 'user not found')
/** The password-hashing queue is full: a retryable overload, answered at once. */
export const RegistrationBusy = httpError(
  'REGISTRATION_BUSY',
  503,
  'too many registrations are being processed; retry after the time in Retry-After',
)
/**
 * The client disconnected before its answer (nginx's 499 "client closed request"). Nobody reads
 * the answer; the code keeps the log line an info, not a 500.
 */
export const ClientDisconnected = httpError('CLIENT_DISCONNECTED', 499, 'the client disconnected')
