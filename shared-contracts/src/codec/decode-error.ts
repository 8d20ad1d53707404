import type { z } from 'zod'

export const DecodeErrorReasons = {
  empty: 'empty',
  oversized: 'oversized',
  notJson: 'not_json',
  notAnEvent: 'not_an_event',
  unknownType: 'unknown_type',
  unsupportedVersion: 'unsupported_version',
  schemaViolation: 'schema_violation',
} as const
export type DecodeErrorReason = (typeof DecodeErrorReasons)[keyof typeof DecodeErrorReasons]

/** Why a message could not be decoded; `reason` is stable and safe to put in a header. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError'
  readonly reason: DecodeErrorReason
  readonly issues: z.core.$ZodIssue[]

  constructor(reason: DecodeErrorReason, message: string, issues: z.core.$ZodIssue[] = []) {
    super(message)
    this.reason = reason
    this.issues = issues
  }
}
