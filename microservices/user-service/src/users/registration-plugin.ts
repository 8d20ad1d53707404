import { currentTraceContext } from '@kafka-ref/service-kit'
import type { RegisterUserRequest, RegisterUserResponse } from '@kafka-ref/shared-contracts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type PasswordHasher, type PasswordHasherOptions, passwordHasher } from './password.ts'
import { registerUser } from './register-user.ts'
import type { EventDataVersion } from './registration-event.ts'

export interface RegistrationContext {
  /** The request id; it becomes the event's correlation id. */
  correlationId: string
  /** Aborts when the client is gone: a registration still waiting to be hashed is dropped. */
  signal?: AbortSignal
}

/** Registering a user, with everything it needs: the database, the hasher, the topic, the relay. */
export interface Registration {
  register(request: RegisterUserRequest, context: RegistrationContext): Promise<RegisterUserResponse>
  /** The password hasher and its counts (running, waiting, refused, dropped). */
  readonly hasher: PasswordHasher
}

declare module 'fastify' {
  interface FastifyInstance {
    registration: Registration
  }
}

export interface RegistrationPluginOptions {
  /** Where the event goes (the namespaced `user_register` topic). */
  topic: string
  passwordHash: PasswordHasherOptions
  /** The `user_register` data version written (see USER_REGISTER_DATA_VERSION). */
  eventDataVersion: EventDataVersion
}

async function registrationPlugin(app: FastifyInstance, options: RegistrationPluginOptions) {
  const hasher = passwordHasher(options.passwordHash)
  app.decorate('registration', {
    hasher,
    async register(request, context) {
      const user = await registerUser(app.db, request, {
        ...context,
        // The request's span (nothing when tracing is off), for the event to carry to the consumer.
        ...currentTraceContext(),
        topic: options.topic,
        eventDataVersion: options.eventDataVersion,
        hashPassword: hasher,
      })
      // The commit added an outbox row: publish it now rather than at the relay's next poll.
      app.outboxRelay.wake()
      return user
    },
  } satisfies Registration)
}

export default fp(registrationPlugin, { name: 'registration', dependencies: ['database', 'outbox-relay'] })
