import { httpError } from '@kafka-ref/service-kit'

export const ProfileNotFound = httpError('PROFILE_NOT_FOUND', 404, 'profile not found')

export const WaitCapacityExceeded = httpError(
  'PROFILE_WAIT_CAPACITY_EXCEEDED',
  503,
  'too many requests are waiting for profiles on this instance; retry later',
)

/** What a refused waiter is told: a moment is enough for other waits to end (or another instance). */
export const WAIT_RETRY_AFTER_SECONDS = 1
