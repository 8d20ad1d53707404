import { randomUUID } from 'node:crypto'
import {
  createUserRegisterEvent,
  type UserRegisterDataV1,
  type UserRegisterEventV1,
} from '@kafka-ref/shared-contracts'

/**
 * A valid `user_register` event for a made-up user, as the user-service would publish it: `tag` and
 * `index` make its username and email unique; `data` overrides any field.
 */
export function userRegisterEvent(
  tag: string,
  index: number,
  data: Partial<UserRegisterDataV1> = {},
): UserRegisterEventV1 {
  const username = `${tag}_${index}`
  return createUserRegisterEvent(
    {
      userId: randomUUID(),
      email: `${username}@example.test`,
      username,
      registeredAt: new Date().toISOString(),
      ...data,
    },
    { correlationId: randomUUID() },
  )
}
