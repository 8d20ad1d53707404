import { randomUUID } from 'node:crypto'
import {
  createUserRegisterEvent,
  createUserRegisterEventV2,
  type UserRegisterDataV1,
  type UserRegisterDataV2,
  type UserRegisterEventV1,
  type UserRegisterEventV2,
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

/** The same, as `user_register` v2: with a locale (`en-GB` unless `data` says otherwise). */
export function userRegisterEventV2(
  tag: string,
  index: number,
  data: Partial<UserRegisterDataV2> = {},
): UserRegisterEventV2 {
  const { data: v1, correlationid } = userRegisterEvent(tag, index, data)
  return createUserRegisterEventV2({ ...v1, locale: 'en-GB', ...data }, { correlationId: correlationid })
}
