import { z } from 'zod'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** One invalid field of a request, located by a JSON Pointer (RFC 6901) into the request part. */
export const FieldError = z.object({
  in: z.enum(['body', 'params', 'querystring', 'headers']),
  pointer: z.string(),
  message: z.string(),
})
export type FieldError = z.infer<typeof FieldError>

/** RFC 9457 problem details, with a stable machine-readable `code` and per-field `errors`. */
export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string(),
    errors: z.array(FieldError).optional(),
  })
  .meta({ id: 'ProblemDetails' })
export type ProblemDetails = z.infer<typeof ProblemDetails>
