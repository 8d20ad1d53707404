import type { ApiFailure } from './api/http.ts'
import type { WaitReason } from './profile/wait-for-profile.ts'
import { sentence } from './text.ts'

export function seconds(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000))
  return s === 1 ? '1 second' : `${s} seconds`
}

/** What to tell the user when a call failed in a way no single field explains. */
export function failureMessage(failure: ApiFailure, online = true): string {
  switch (failure.kind) {
    case 'network':
      return online
        ? 'Cannot reach the server. Check your connection and try again.'
        : 'You are offline. Connect to the internet and try again.'
    case 'timeout':
      return 'The server did not answer in time. Please try again.'
    case 'invalid-response':
      return 'The server sent an answer this page does not understand. Please try again later.'
    case 'problem': {
      const { status, problem, retryAfterS, requestId } = failure
      if (status === 429 || status === 503) {
        const what =
          status === 429 ? 'Too many attempts from this address.' : 'The service is busy right now.'
        const wait =
          retryAfterS === undefined
            ? 'Try again in a moment.'
            : `Try again in ${seconds(retryAfterS * 1000)}.`
        return `${what} ${wait}`
      }
      if (status >= 500) {
        const reference = requestId ? ` (reference ${requestId})` : ''
        return `Something went wrong on our side${reference}. Please try again in a moment.`
      }
      return sentence(problem.detail ?? '') || sentence(problem.title)
    }
  }
}

export function waitingMessage(reason: WaitReason): string {
  switch (reason.kind) {
    case 'pending':
      return 'Your profile is being created…'
    // No countdown: the text only changes when the reason does, so a screen reader (the status is
    // a live region) is not made to read it again at every retry.
    case 'unreachable':
      return 'Your profile is being created… The profile service is not answering yet; this page keeps trying.'
    case 'busy':
      return 'Your profile is being created… The profile service is busy; this page keeps trying.'
  }
}

export function timedOutMessage(reason: WaitReason): string {
  const why =
    reason.kind === 'unreachable'
      ? ' The profile service is not answering.'
      : reason.kind === 'busy'
        ? ' The profile service is busy.'
        : ''
  return `Your account exists, but its profile is taking longer than expected.${why} Try again in a moment.`
}
