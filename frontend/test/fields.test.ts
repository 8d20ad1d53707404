import type { ProblemDetails } from '@kafka-ref/shared-contracts/http'
import { describe, expect, it } from 'vitest'
import { fieldErrorsFromProblem, validateForm } from '../src/register/fields.ts'

const valid = {
  email: 'ada@example.com',
  username: 'ada_l',
  displayName: '',
  password: 'correct horse battery',
}

describe('validateForm', () => {
  it('accepts what the server accepts, leaving out an empty display name', () => {
    expect(validateForm(valid)).toEqual({
      ok: true,
      request: { email: 'ada@example.com', username: 'ada_l', password: 'correct horse battery' },
    })
    expect(validateForm({ ...valid, email: ' ada@example.com ', displayName: ' Ada ' })).toMatchObject({
      ok: true,
      request: { email: 'ada@example.com', displayName: 'Ada' },
    })
  })

  it('gives every invalid field one readable message', () => {
    expect(
      validateForm({ email: 'ada.example.com', username: 'a!', displayName: '', password: 'short' }),
    ).toEqual({
      ok: false,
      errors: {
        email: 'Enter an email address like ada@example.com.',
        username: 'Use 3–32 letters, digits or underscores.',
        password: 'Password must be at least 12 characters.',
      },
    })
    expect(validateForm({ ...valid, displayName: 'x'.repeat(65) })).toEqual({
      ok: false,
      errors: { displayName: 'Display name must be at most 64 characters.' },
    })
  })

  it('says a required field is missing rather than malformed', () => {
    expect(validateForm({ email: '', username: '', displayName: '', password: '' })).toEqual({
      ok: false,
      errors: {
        email: 'Email is required.',
        username: 'Username is required.',
        password: 'Password is required.',
      },
    })
  })
})

const problem = (overrides: Partial<ProblemDetails>): ProblemDetails => ({
  type: 'about:blank',
  title: 'Conflict',
  status: 409,
  code: 'X',
  ...overrides,
})

describe('fieldErrorsFromProblem', () => {
  it('puts a 409 on the field its code names', () => {
    expect(fieldErrorsFromProblem(problem({ code: 'USER_EMAIL_TAKEN' }))).toEqual({
      email: 'This email is already registered.',
    })
    expect(fieldErrorsFromProblem(problem({ code: 'USER_USERNAME_TAKEN' }))).toEqual({
      username: 'This username is taken. Try another one.',
    })
  })

  it('maps body pointers of a 400 onto the fields and ignores what it cannot place', () => {
    const errors = fieldErrorsFromProblem(
      problem({
        status: 400,
        code: 'VALIDATION_FAILED',
        errors: [
          { in: 'body', pointer: '/password', message: 'too small' },
          { in: 'body', pointer: '/email', message: 'Invalid email address' },
          { in: 'body', pointer: '/unknown', message: 'nope' },
          { in: 'querystring', pointer: '/email', message: 'not this one' },
        ],
      }),
    )
    expect(errors).toEqual({ password: 'Too small.', email: 'Invalid email address.' })
    expect(fieldErrorsFromProblem(problem({ status: 429, code: 'HTTP_429' }))).toEqual({})
  })
})
