import { describe, expect, it } from 'vitest'
import {
  PublicUserResponse,
  RegisterUserRequest,
  RegisterUserResponse,
  UserIdParams,
} from '../../src/http/user.ts'
import { TIME, USER_ID } from '../support/events.ts'

const request = { email: 'ada@example.com', username: 'ada_lovelace', password: 'correct horse battery' }

describe('RegisterUserRequest', () => {
  it('accepts a request without a display name', () => {
    expect(RegisterUserRequest.parse(request)).toEqual(request)
  })

  it('trims the display name', () => {
    expect(RegisterUserRequest.parse({ ...request, displayName: '  Ada  ' }).displayName).toBe('Ada')
  })

  it.each(['email', 'username', 'password'])('requires %s', (name) => {
    const result = RegisterUserRequest.safeParse({ ...request, [name]: undefined })
    expect(result.error?.issues[0]?.path).toEqual([name])
  })

  it.each([
    ['email', 'not-an-email'],
    ['email', `${'a'.repeat(250)}@x.io`],
    ['username', 'ab'],
    ['username', 'ada lovelace'],
    ['password', 'short'],
    ['password', 'x'.repeat(129)],
    ['displayName', '   '],
    ['displayName', 'x'.repeat(65)],
  ])('rejects %s = %j', (name, value) => {
    const result = RegisterUserRequest.safeParse({ ...request, [name]: value })
    expect(result.error?.issues[0]?.path).toEqual([name])
  })

  it('strips unknown fields, so a client cannot smuggle in e.g. an id', () => {
    expect(RegisterUserRequest.parse({ ...request, id: USER_ID })).not.toHaveProperty('id')
  })
})

describe('PublicUserResponse', () => {
  const user = { id: USER_ID, username: 'ada_lovelace', displayName: null, createdAt: TIME }

  it('accepts a user with or without a display name', () => {
    expect(PublicUserResponse.parse(user)).toEqual(user)
    expect(PublicUserResponse.parse({ ...user, displayName: 'Ada' }).displayName).toBe('Ada')
  })

  it('requires displayName to be present, even if null', () => {
    expect(PublicUserResponse.safeParse({ ...user, displayName: undefined }).success).toBe(false)
  })

  it('never serializes the email, a password or a hash, even if the row has them', () => {
    const shown = PublicUserResponse.parse({
      ...user,
      email: 'ada@example.com',
      password: 'x',
      passwordHash: '$argon2id$...',
    })
    expect(Object.keys(shown).sort()).toEqual(['createdAt', 'displayName', 'id', 'username'])
  })
})

describe('RegisterUserResponse', () => {
  const user = {
    id: USER_ID,
    email: 'ada@example.com',
    username: 'ada_lovelace',
    displayName: null,
    createdAt: TIME,
  }

  it('is the public user plus the email', () => {
    expect(RegisterUserResponse.parse(user)).toEqual(user)
    expect(RegisterUserResponse.safeParse({ ...user, email: undefined }).success).toBe(false)
  })

  it('never serializes a password or hash, even if the row has one', () => {
    const shown = RegisterUserResponse.parse({ ...user, password: 'x', passwordHash: '$argon2id$...' })
    expect(Object.keys(shown).sort()).toEqual(['createdAt', 'displayName', 'email', 'id', 'username'])
  })
})

describe('UserIdParams', () => {
  it('accepts a UUID id only', () => {
    expect(UserIdParams.parse({ id: USER_ID })).toEqual({ id: USER_ID })
    expect(UserIdParams.safeParse({ id: '1' }).success).toBe(false)
  })
})
