import { httpError, type ZodFastify } from '@kafka-ref/service-kit'
import {
  EventTypes,
  ProblemDetails,
  ProfileParams,
  ProfileQuery,
  ProfileResponse,
} from '@kafka-ref/shared-contracts'
import { findProfile } from './profile-store.ts'

export const ProfileNotFound = httpError('PROFILE_NOT_FOUND', 404, 'profile not found')

export function profileRoutes(app: ZodFastify) {
  app.get(
    '/profile/:id',
    {
      schema: {
        tags: ['profiles'],
        summary: 'A user profile, optionally waiting for it to be created',
        description:
          `Profiles are created asynchronously from ${EventTypes.userRegister} events. Right after registering, ` +
          'pass `waitMs` to get the profile as soon as it is stored instead of polling.',
        params: ProfileParams,
        querystring: ProfileQuery,
        response: { 200: ProfileResponse, 400: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request) => {
      const { id } = request.params
      const deadline = Date.now() + request.query.waitMs
      for (;;) {
        const remainingMs = deadline - Date.now()
        // Subscribe before looking: a profile committed between the lookup and the subscription
        // would otherwise be missed until the timeout.
        const waiter = remainingMs > 0 ? app.profileListener.wait(id, remainingMs) : undefined
        try {
          const profile = await findProfile(app.db, id)
          if (profile) return profile
          if (!waiter || !(await waiter.done)) throw new ProfileNotFound()
        } finally {
          waiter?.cancel()
        }
      }
    },
  )
}
