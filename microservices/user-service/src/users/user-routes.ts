import {
  clientDisconnectSignal,
  jsonResponse,
  LOCATION_HEADER,
  problemResponses,
  type ZodFastify,
} from '@kafka-ref/service-kit'
import {
  EventTypes,
  PublicUserResponse,
  RegisterUserRequest,
  RegisterUserResponse,
  UserIdParams,
} from '@kafka-ref/shared-contracts'
import { ClientDisconnected, RegistrationBusy, UserNotFound } from './errors.ts'
import { findUserById, toPublicUser } from './user-repository.ts'

export interface UserRoutesOptions {
  rateLimit: { max: number; windowMs: number }
}

/**
 * What a refused registration is told to wait. The hashing queue drains at `concurrency` hashes
 * per hash time (2 per ~0.4 s at the default cost), so a few seconds frees a good share of it
 * without asking clients to wait for all of it.
 */
const BUSY_RETRY_AFTER_SECONDS = 5

export function userRoutes(app: ZodFastify, options: UserRoutesOptions) {
  app.post(
    '/user/register',
    {
      config: {
        rateLimit: { max: options.rateLimit.max, timeWindow: options.rateLimit.windowMs },
      },
      schema: {
        tags: ['users'],
        summary: 'Register a user',
        description: `Stores the user and publishes exactly one ${EventTypes.userRegister} event for it.`,
        body: RegisterUserRequest,
        response: {
          201: jsonResponse(RegisterUserResponse, 'Registered; its event is on its way', {
            location: LOCATION_HEADER,
          }),
          ...problemResponses([400, 409, 413, 415, 429, 503], {
            409: '`USER_EMAIL_TAKEN` or `USER_USERNAME_TAKEN` (compared case-insensitively)',
            503: `\`REGISTRATION_BUSY\`: too many registrations wait for password hashing; try again after \`Retry-After\` (${BUSY_RETRY_AFTER_SECONDS} s). \`DATABASE_UNAVAILABLE\`: the database did not answer in time (if the registration was stored after all, sending it again answers 409); \`SERVICE_OVERLOADED\``,
          }),
        },
      },
    },
    async (request, reply) => {
      const user = await app.registration
        .register(request.body, {
          correlationId: request.id,
          signal: clientDisconnectSignal(reply, new ClientDisconnected()),
        })
        .catch((error: unknown) => {
          if (error instanceof RegistrationBusy) reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS))
          throw error
        })
      request.log.info({ userId: user.id }, 'user registered')
      return reply.code(201).header('location', `/user/${user.id}`).send(user)
    },
  )

  app.get(
    '/user/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Get a user (public fields; no email)',
        params: UserIdParams,
        response: {
          200: jsonResponse(PublicUserResponse, 'The user'),
          ...problemResponses([400, 404], { 404: '`USER_NOT_FOUND`' }),
        },
      },
    },
    async (request) => {
      const row = await findUserById(app.db, request.params.id)
      if (!row) throw new UserNotFound()
      return toPublicUser(row)
    },
  )
}
