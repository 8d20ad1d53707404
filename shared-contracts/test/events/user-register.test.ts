import { describe, expect, it } from 'vitest'
import { UserRegisterDataV1, UserRegisterEventV1 } from '../../src/events/user-register.ts'
import { userData, userRegisterEvent } from '../support/events.ts'

describe('UserRegisterDataV1', () => {
  it('accepts data without a display name', () => {
    expect(UserRegisterDataV1.parse(userData())).toEqual(userData())
  })

  it('trims the display name like the HTTP request does', () => {
    expect(UserRegisterDataV1.parse(userData({ displayName: ' Ada ' })).displayName).toBe('Ada')
  })

  it.each(['userId', 'email', 'username', 'registeredAt'])('requires %s', (name) => {
    const result = UserRegisterDataV1.safeParse({ ...userData(), [name]: undefined })
    expect(result.error?.issues[0]?.path).toEqual([name])
  })
})

describe('UserRegisterEventV1', () => {
  it('accepts a valid v1 event', () => {
    expect(UserRegisterEventV1.parse(userRegisterEvent())).toEqual(userRegisterEvent())
  })

  it('is the user_register type at data version 1 only', () => {
    expect(UserRegisterEventV1.safeParse({ ...userRegisterEvent(), type: 'user_delete' }).success).toBe(false)
    expect(UserRegisterEventV1.safeParse({ ...userRegisterEvent(), dataversion: 2 }).success).toBe(false)
  })

  it('validates the data', () => {
    const result = UserRegisterEventV1.safeParse(userRegisterEvent({ data: userData({ username: 'a b' }) }))
    expect(result.error?.issues[0]?.path).toEqual(['data', 'username'])
  })
})
