import { type ProblemDetails, RegisterUserRequest } from '@kafka-ref/shared-contracts/http'
import type { z } from 'zod'
import { sentence } from '../text.ts'

export const FIELDS = ['email', 'username', 'displayName', 'password'] as const
export type Field = (typeof FIELDS)[number]
export type FormValues = Record<Field, string>
export type FieldErrors = Partial<Record<Field, string>>

export type Validation = { ok: true; request: RegisterUserRequest } | { ok: false; errors: FieldErrors }

/**
 * Checks the form with the very schema the user-service validates with, so the page never sends
 * what the server would refuse, and never refuses what it would accept.
 */
export function validateForm(values: FormValues): Validation {
  const input = {
    email: values.email.trim(),
    username: values.username.trim(),
    password: values.password,
    // An empty optional field means "none", not an empty name (which the schema refuses).
    ...(values.displayName.trim() === '' ? {} : { displayName: values.displayName }),
  }
  const parsed = RegisterUserRequest.safeParse(input)
  if (parsed.success) return { ok: true, request: parsed.data }
  const errors: FieldErrors = {}
  for (const issue of parsed.error.issues) {
    const field = asField(issue.path[0])
    if (field && !errors[field]) errors[field] = issueMessage(field, issue, values[field])
  }
  return { ok: false, errors }
}

const TAKEN: Record<string, [Field, string]> = {
  USER_EMAIL_TAKEN: ['email', 'This email is already registered.'],
  USER_USERNAME_TAKEN: ['username', 'This username is taken. Try another one.'],
}

/**
 * The server's verdict mapped onto the form: a 409's code names its field, a 400 points at the
 * fields with JSON Pointers (`/email`). Errors it cannot place are left to the caller.
 */
export function fieldErrorsFromProblem(problem: ProblemDetails): FieldErrors {
  const errors: FieldErrors = {}
  const taken = TAKEN[problem.code]
  if (taken) errors[taken[0]] = taken[1]
  for (const error of problem.errors ?? []) {
    if (error.in !== 'body') continue
    const field = asField(error.pointer.split('/')[1])
    if (field && !errors[field]) errors[field] = sentence(error.message) || 'This value is not valid.'
  }
  return errors
}

function asField(key: unknown): Field | undefined {
  return FIELDS.find((field) => field === key)
}

const LABELS: Record<Field, string> = {
  email: 'Email',
  username: 'Username',
  displayName: 'Display name',
  password: 'Password',
}

/** zod's messages are written for developers ("Too small: expected string to have >=12 characters"). */
function issueMessage(field: Field, issue: z.core.$ZodIssue, value: string): string {
  if (value.trim() === '' && field !== 'displayName') return `${LABELS[field]} is required.`
  switch (issue.code) {
    case 'too_small':
      return `${LABELS[field]} must be at least ${issue.minimum} characters.`
    case 'too_big':
      return `${LABELS[field]} must be at most ${issue.maximum} characters.`
    case 'invalid_format':
      if (issue.format === 'email') return 'Enter an email address like ada@example.com.'
      // The rule itself is in the field's hint.
      if (field === 'username') return 'Use 3–32 letters, digits or underscores.'
      return sentence(issue.message) || 'This value is not valid.'
    default:
      return sentence(issue.message) || 'This value is not valid.'
  }
}
