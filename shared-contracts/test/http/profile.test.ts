import { describe, expect, it } from 'vitest'
import { PROFILE_MAX_WAIT_MS, ProfileParams, ProfileQuery, ProfileResponse } from '../../src/http/profile.ts'
import { TIME, USER_ID } from '../support/events.ts'

describe('ProfileResponse', () => {
  const profile = {
    userId: USER_ID,
    username: 'ada_lovelace',
    displayName: 'Ada',
    locale: 'en-GB',
    createdAt: TIME,
  }

  it('accepts a profile', () => {
    expect(ProfileResponse.parse(profile)).toEqual(profile)
  })

  it.each(['userId', 'username', 'displayName', 'locale', 'createdAt'])('requires %s', (name) => {
    expect(ProfileResponse.safeParse({ ...profile, [name]: undefined }).success).toBe(false)
  })

  it('does not expose the email', () => {
    expect(ProfileResponse.parse({ ...profile, email: 'ada@example.com' })).not.toHaveProperty('email')
  })
})

describe('ProfileParams', () => {
  it('accepts a UUID id only', () => {
    expect(ProfileParams.parse({ id: USER_ID })).toEqual({ id: USER_ID })
    expect(ProfileParams.safeParse({ id: 'ada' }).success).toBe(false)
  })
})

describe('ProfileQuery', () => {
  it('caps the wait at 10 seconds', () => {
    expect(PROFILE_MAX_WAIT_MS).toBe(10_000)
  })

  it('defaults waitMs to 0 (answer at once)', () => {
    expect(ProfileQuery.parse({})).toEqual({ waitMs: 0 })
  })

  it('coerces the query-string text to a number', () => {
    expect(ProfileQuery.parse({ waitMs: '2500' })).toEqual({ waitMs: 2500 })
    expect(ProfileQuery.parse({ waitMs: 2500 })).toEqual({ waitMs: 2500 })
    expect(ProfileQuery.parse({ waitMs: String(PROFILE_MAX_WAIT_MS) })).toEqual({ waitMs: 10_000 })
  })

  it.each(['10001', '-1', '1.5', 'soon', '1e9'])('rejects waitMs=%s rather than clamping it', (waitMs) => {
    expect(ProfileQuery.safeParse({ waitMs }).error?.issues[0]?.path).toEqual(['waitMs'])
  })
})
