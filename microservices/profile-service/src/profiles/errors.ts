import { httpError } from '@kafka-ref/service-kit'
import { ProfileProblemCodes } from '@kafka-ref/shared-contracts'

export const ProfileNotFound = httpError(ProfileProblemCodes.notFound, 404, 'profile not found')

export const WaitCapacityExceeded = httpError(
  ProfileProblemCodes.waitCapacityExceeded,
  503,
  'too many requests are waiting for profiles on this instance; retry later',
)

/** What a refused waiter is told: a moment is enough for other waits to end (or another instance). */
export const WAIT_RETRY_AFTER_SECONDS = 1
