import {
  PROFILE_MAX_WAIT_MS,
  ProfileProblemCodes,
  type ProfileResponse,
} from '@kafka-ref/shared-contracts/http'
import type { ApiFailure, ApiResult } from '../api/http.ts'

/** Why the page is still waiting: shown to the user, so they know whether anything is wrong. */
export type WaitReason =
  /** The profile-service answered: not created yet (the event is on its way). */
  | { kind: 'pending' }
  /** The profile-service did not answer; the page tries again after `retryInMs`. */
  | { kind: 'unreachable'; retryInMs: number }
  /** It answered 429/503; the page waits what it asked for. */
  | { kind: 'busy'; retryInMs: number }

export type WaitOutcome =
  | { kind: 'ready'; profile: ProfileResponse }
  /** The budget ran out while the profile was still on its way (or the service away). */
  | { kind: 'timed-out'; last: WaitReason }
  /** An answer waiting longer cannot fix (e.g. a 400, or a 404 that is not "not yet"). */
  | { kind: 'failed'; failure: ApiFailure }

export interface WaitForProfileOptions {
  /** One `GET /profile/:id?waitMs=`. */
  fetchProfile: (waitMs: number, signal: AbortSignal) => Promise<ApiResult<ProfileResponse>>
  /** Total time to keep trying. */
  budgetMs: number
  signal: AbortSignal
  onWaiting?: (reason: WaitReason) => void
  now?: () => number
}

/** Pauses after failures without an answer: 0.5, 1, 2, 2, ... s. */
const UNREACHABLE_BACKOFF_MS = [500, 1_000, 2_000]
/** If the server answers "not yet" at once (it ignored waitMs), do not hammer it. */
const MIN_NOT_FOUND_INTERVAL_MS = 500
/** A 429/503 without Retry-After. */
const DEFAULT_BUSY_MS = 1_000

const retryAfterMs = (result: { retryAfterS: number | undefined }) =>
  result.retryAfterS === undefined ? DEFAULT_BUSY_MS : result.retryAfterS * 1_000

/**
 * Waits for the asynchronously created profile: long-polls the profile-service (which answers as
 * soon as the profile is stored) and keeps trying through "not yet", a service that is away or
 * busy, until `budgetMs` runs out. When the service refuses to let one more request wait (its
 * waiter cap), the page reads without waiting at once, and keeps polling that way until the
 * refusal's `Retry-After` has passed. Aborting `signal` rejects with its reason.
 */
export async function waitForProfile(options: WaitForProfileOptions): Promise<WaitOutcome> {
  const now = options.now ?? Date.now
  const { signal } = options
  const deadline = now() + options.budgetMs
  let unreachable = 0
  let last: WaitReason = { kind: 'pending' }
  /** Until then the service refuses to let this request wait: read without waiting. */
  let waitRefusedUntil = 0
  for (;;) {
    signal.throwIfAborted()
    const remaining = deadline - now()
    if (remaining <= 0) return { kind: 'timed-out', last }
    const started = now()
    const waitMs = started < waitRefusedUntil ? 0 : Math.min(PROFILE_MAX_WAIT_MS, remaining)
    const result = await options.fetchProfile(waitMs, signal)
    if (result.ok) return { kind: 'ready', profile: result.value }

    let pauseMs: number
    if (
      waitMs > 0 &&
      result.kind === 'problem' &&
      result.problem.code === ProfileProblemCodes.waitCapacityExceeded
    ) {
      // Only the wait was refused, and a profile that exists would have been served: read again
      // at once without waiting, then as a server that answers "not yet" at once is polled.
      unreachable = 0
      waitRefusedUntil = now() + retryAfterMs(result)
      pauseMs = 0
      last = { kind: 'pending' }
    } else if (result.kind === 'network' || result.kind === 'timeout') {
      pauseMs = UNREACHABLE_BACKOFF_MS[Math.min(unreachable++, UNREACHABLE_BACKOFF_MS.length - 1)]!
      last = { kind: 'unreachable', retryInMs: pauseMs }
    } else if (result.kind === 'problem' && (result.status === 429 || result.status === 503)) {
      unreachable = 0
      pauseMs = retryAfterMs(result)
      last = { kind: 'busy', retryInMs: pauseMs }
    } else if (result.kind === 'problem' && result.problem.code === ProfileProblemCodes.notFound) {
      unreachable = 0
      pauseMs = Math.max(0, MIN_NOT_FOUND_INTERVAL_MS - (now() - started))
      last = { kind: 'pending' }
    } else {
      return { kind: 'failed', failure: result }
    }
    options.onWaiting?.(last)
    await pause(Math.min(pauseMs, Math.max(0, deadline - now())), signal)
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
