import type { ZodFastify } from '@kafka-ref/service-kit'
import {
  EventTypes,
  ProblemDetails,
  PublicUserResponse,
  RegisterUserRequest,
  RegisterUserResponse,
  UserIdParams,
} from '@kafka-ref/shared-contracts'
import { UserNotFound } from './errors.ts'
import { passwordHasher } from './password.ts'
import { registerUser } from './register-user.ts'
import { findUserById, toPublicUser } from './user-repository.ts'

export interface UserRoutesOptions {
  topic: string
  passwordHash: { cost: number; concurrency: number }
  registerRateLimit: { max: number; windowMs: number }
}

export function userRoutes(app: ZodFastify, options: UserRoutesOptions) {
  const hashPassword = passwordHasher(options.passwordHash)
  app.post(
    '/user/register',
    {
      config: {
        rateLimit: { max: options.registerRateLimit.max, timeWindow: options.registerRateLimit.windowMs },
      },
      schema: {
        tags: ['users'],
        summary: 'Register a user',
        description: `Stores the user and publishes exactly one ${EventTypes.userRegister} event for it.`,
        body: RegisterUserRequest,
        response: {
          201: RegisterUserResponse,
          400: ProblemDetails,
          409: ProblemDetails,
          413: ProblemDetails,
          415: ProblemDetails,
          429: ProblemDetails,
        },
      },
    },
    async (request, reply) => {
      const user = await registerUser(app.db, request.body, {
        correlationId: request.id,
        topic: options.topic,
        hashPassword,
      })
      app.outboxRelay.wake()
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
        response: { 200: PublicUserResponse, 400: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request) => {
      const row = await findUserById(app.db, request.params.id)
      if (!row) throw new UserNotFound()
      return toPublicUser(row)
    },
  )
}
