import type { ProfileResponse } from '@kafka-ref/shared-contracts/http'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ApiResult } from '../src/api/http.ts'
import { type WaitReason, waitForProfile } from '../src/profile/wait-for-profile.ts'

const profile: ProfileResponse = {
  userId: '0b0f2c7e-6a2b-4a8e-9a59-0a4b1c8d2e3f',
  username: 'ada',
  displayName: 'Ada',
  locale: 'en-GB',
  createdAt: '2026-11-29T10:00:00.000Z',
}
const ready: ApiResult<ProfileResponse> = { ok: true, status: 200, value: profile }
const network: ApiResult<ProfileResponse> = { ok: false, kind: 'network' }
const problem = (status: number, code: string, retryAfterS?: number): ApiResult<ProfileResponse> => ({
  ok: false,
  kind: 'problem',
  status,
  problem: { type: 'about:blank', title: 'x', status, code },
  retryAfterS,
  requestId: undefined,
})
const notYet = problem(404, 'PROFILE_NOT_FOUND')

/** Answers from a script, recording when each call came and the waitMs it asked for. */
function scripted(answers: Array<ApiResult<ProfileResponse>>, serverWaitsMs = 0) {
  const calls: Array<{ at: number; waitMs: number }> = []
  const start = Date.now()
  const fetchProfile = async (waitMs: number) => {
    calls.push({ at: Date.now() - start, waitMs })
    const answer = answers.shift() ?? notYet
    // A "not yet" comes back after the server's wait, like the real long poll.
    if (!answer.ok && answer.kind === 'problem' && answer.status === 404) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, serverWaitsMs)))
    }
    return answer
  }
  return { calls, fetchProfile }
}

describe('waitForProfile', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  async function run(fetchProfile: ReturnType<typeof scripted>['fetchProfile'], budgetMs = 30_000) {
    const reasons: WaitReason[] = []
    const outcome = waitForProfile({
      fetchProfile,
      budgetMs,
      signal: new AbortController().signal,
      onWaiting: (reason) => reasons.push(reason),
    })
    await vi.runAllTimersAsync()
    return { outcome: await outcome, reasons }
  }

  it('long-polls through "not yet" and returns the profile', async () => {
    const { calls, fetchProfile } = scripted([notYet, notYet, ready], 10_000)
    const { outcome, reasons } = await run(fetchProfile)
    expect(outcome).toEqual({ kind: 'ready', profile })
    // Each call asks the server to wait as long as it allows, then what is left of the budget.
    expect(calls).toEqual([
      { at: 0, waitMs: 10_000 },
      { at: 10_000, waitMs: 10_000 },
      { at: 20_000, waitMs: 10_000 },
    ])
    expect(reasons).toEqual([{ kind: 'pending' }, { kind: 'pending' }])
  })

  it('backs off while the service does not answer, and waits what a 503 asks', async () => {
    const { calls, fetchProfile } = scripted([
      network,
      network,
      network,
      network,
      problem(503, 'BUSY', 3),
      ready,
    ])
    const { outcome, reasons } = await run(fetchProfile)
    expect(outcome.kind).toBe('ready')
    expect(calls.map((call) => call.at)).toEqual([0, 500, 1_500, 3_500, 5_500, 8_500])
    expect(reasons.map((reason) => reason.kind)).toEqual([
      'unreachable',
      'unreachable',
      'unreachable',
      'unreachable',
      'busy',
    ])
  })

  it('reads at once without waitMs when the wait is refused (503 at the waiter cap), and shows the profile', async () => {
    const { calls, fetchProfile } = scripted([problem(503, 'PROFILE_WAIT_CAPACITY_EXCEEDED', 1), ready])
    const { outcome, reasons } = await run(fetchProfile)
    expect(outcome).toEqual({ kind: 'ready', profile })
    expect(calls).toEqual([
      { at: 0, waitMs: 10_000 },
      { at: 0, waitMs: 0 },
    ])
    // The service answered: the profile is on its way, nothing is wrong.
    expect(reasons).toEqual([{ kind: 'pending' }])
  })

  it('while waits are refused, polls without waitMs, and asks to wait again after Retry-After', async () => {
    const refused = problem(503, 'PROFILE_WAIT_CAPACITY_EXCEEDED', 2)
    const { calls, fetchProfile } = scripted([refused, notYet, notYet, notYet, notYet, ready], 10_000)
    await run(fetchProfile)
    expect(calls).toEqual([
      { at: 0, waitMs: 10_000 },
      // Reads spaced as for a server that answers "not yet" at once, until Retry-After (2 s) ends.
      { at: 0, waitMs: 0 },
      { at: 500, waitMs: 0 },
      { at: 1_000, waitMs: 0 },
      { at: 1_500, waitMs: 0 },
      { at: 2_000, waitMs: 10_000 },
    ])
  })

  it('waits out any other 503, and a refusal of a read that did not ask to wait, before asking again', async () => {
    const refused = problem(503, 'PROFILE_WAIT_CAPACITY_EXCEEDED', 2)
    const { calls, fetchProfile } = scripted([problem(503, 'HTTP_503', 2), refused, refused, ready])
    await run(fetchProfile)
    expect(calls).toEqual([
      { at: 0, waitMs: 10_000 },
      { at: 2_000, waitMs: 10_000 },
      { at: 2_000, waitMs: 0 },
      // Not at once again: a server that refuses even that is busy. Its Retry-After is over by
      // then, so this one asks to wait again.
      { at: 4_000, waitMs: 10_000 },
    ])
  })

  it('does not hammer a server that answers "not yet" at once', async () => {
    const { calls, fetchProfile } = scripted([notYet, notYet, ready], 0)
    await run(fetchProfile)
    expect(calls.map((call) => call.at)).toEqual([0, 500, 1_000])
  })

  it('gives up when the budget is spent, saying why it was still waiting', async () => {
    const { calls, fetchProfile } = scripted(Array(100).fill(network))
    const { outcome } = await run(fetchProfile, 10_000)
    expect(outcome).toEqual({ kind: 'timed-out', last: { kind: 'unreachable', retryInMs: 2_000 } })
    // The last pause was cut to the deadline: no call after it.
    expect(calls.at(-1)!.at).toBeLessThan(10_000)
  })

  it('stops at an answer that waiting cannot change', async () => {
    const { calls, fetchProfile } = scripted([problem(404, 'ROUTE_NOT_FOUND')])
    const { outcome } = await run(fetchProfile)
    expect(outcome).toMatchObject({ kind: 'failed', failure: { status: 404 } })
    expect(calls).toHaveLength(1)
  })

  it('rejects with the reason when aborted', async () => {
    const controller = new AbortController()
    const { fetchProfile } = scripted(Array(100).fill(network))
    const outcome = waitForProfile({ fetchProfile, budgetMs: 30_000, signal: controller.signal })
    const rejected = expect(outcome).rejects.toThrow('user started over')
    await vi.advanceTimersByTimeAsync(700)
    controller.abort(new Error('user started over'))
    await rejected
  })
})
