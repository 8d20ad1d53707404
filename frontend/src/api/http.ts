import { PROBLEM_CONTENT_TYPE, ProblemDetails } from '@kafka-ref/shared-contracts/http'
import type { z } from 'zod'
import { retryAfterSeconds } from './retry-after.ts'

/** Why a call did not produce the expected body. */
export type ApiFailure =
  /** The server answered with an error status (its problem+json body, or one made up from the status). */
  | {
      kind: 'problem'
      status: number
      problem: ProblemDetails
      retryAfterS: number | undefined
      requestId: string | undefined
    }
  /** No answer: offline, DNS, connection refused, or a CORS refusal (browsers do not tell them apart). */
  | { kind: 'network' }
  /** No answer within the client's own deadline. */
  | { kind: 'timeout' }
  /** A 2xx whose body does not match the contract. */
  | { kind: 'invalid-response'; status: number }

export type ApiResult<T> = { ok: true; status: number; value: T } | ({ ok: false } & ApiFailure)

export interface CallOptions {
  /** Cancels the call; an aborted call rejects with the signal's reason instead of resolving. */
  signal?: AbortSignal
  timeoutMs: number
}

/**
 * One JSON call, every outcome a value: the page decides what to show from `kind` and `status`
 * instead of parsing exception messages.
 */
export async function callJson<T>(
  url: string,
  init: RequestInit,
  schema: z.ZodType<T>,
  { signal, timeoutMs }: CallOptions,
): Promise<ApiResult<T>> {
  const timeout = AbortSignal.timeout(timeoutMs)
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
  let response: Response
  let body: unknown
  try {
    response = await fetch(url, { ...init, signal: combined })
    body = await readBody(response)
  } catch {
    if (signal?.aborted) throw signal.reason
    if (timeout.aborted) return { ok: false, kind: 'timeout' }
    return { ok: false, kind: 'network' }
  }
  if (response.ok) {
    const parsed = schema.safeParse(body)
    return parsed.success
      ? { ok: true, status: response.status, value: parsed.data }
      : { ok: false, kind: 'invalid-response', status: response.status }
  }
  return {
    ok: false,
    kind: 'problem',
    status: response.status,
    problem: toProblem(response, body),
    retryAfterS: retryAfterSeconds(response.headers.get('retry-after')),
    requestId: response.headers.get('x-request-id') ?? undefined,
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  const type = response.headers.get('content-type') ?? ''
  if (!text || !(type.includes('json') || type.includes(PROBLEM_CONTENT_TYPE))) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The server's problem body, or a minimal one for an error without it (e.g. a proxy's HTML 502). */
function toProblem(response: Response, body: unknown): ProblemDetails {
  const parsed = ProblemDetails.safeParse(body)
  if (parsed.success) return parsed.data
  return {
    type: 'about:blank',
    title: response.statusText || 'Error',
    status: response.status,
    code: `HTTP_${response.status}`,
  }
}
