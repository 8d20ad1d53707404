import { jsonResponse, problemResponses, type ZodFastify } from '@kafka-ref/service-kit'
import { EventTypes, ProfileParams, ProfileQuery, ProfileResponse } from '@kafka-ref/shared-contracts'
import type { Config } from '../config.ts'
import { ProfileNotFound, WAIT_RETRY_AFTER_SECONDS, WaitCapacityExceeded } from './errors.ts'
import { profileJson, sendProfileJson } from './profile-json.ts'
import { findProfile } from './profile-repository.ts'

/**
 * The route's options: its rate limit and its schema (validation, OpenAPI). Exported for the benchmark's
 * framework baseline (figure 1d), which serves the same route from memory.
 */
export const profileRouteOptions = (options: Pick<Config['profiles'], 'rateLimit'>) => ({
  config: { rateLimit: { max: options.rateLimit.max, timeWindow: options.rateLimit.windowMs } },
  schema: {
    tags: ['profiles'],
    summary: 'A user profile, optionally waiting for it to be created',
    description:
      `Profiles are created asynchronously from ${EventTypes.userRegister} events. Right after registering, ` +
      'pass `waitMs` to get the profile as soon as it is stored instead of polling. Each instance lets a ' +
      'bounded number of requests wait; beyond it a request with `waitMs` for a profile that does not exist yet ' +
      'gets a 503 (`PROFILE_WAIT_CAPACITY_EXCEEDED`) with `Retry-After` at once (a profile that exists is still ' +
      'served; the same request without `waitMs` is answered). Requests per client are rate-limited (429).',
    params: ProfileParams,
    querystring: ProfileQuery,
    response: {
      200: jsonResponse(ProfileResponse, 'The profile'),
      ...problemResponses([400, 404, 429, 503], {
        404: '`PROFILE_NOT_FOUND`: not (yet) created; with `waitMs`, still not created when the wait ended (at its end, or earlier when the instance stops: ask again)',
        503: '`PROFILE_WAIT_CAPACITY_EXCEEDED`: not created yet, and too many requests wait on this instance (ask again without `waitMs`); `DATABASE_UNAVAILABLE`: the database did not answer in time; `SERVICE_OVERLOADED`. Try again after `Retry-After` seconds',
      }),
    },
  },
})

/**
 * `options.maxWaiters` requests may wait at once; beyond it a request with `waitMs` for a profile
 * that does not exist is refused at once.
 */
export function profileRoutes(
  app: ZodFastify,
  options: Pick<Config['profiles'], 'maxWaiters' | 'rateLimit'>,
) {
  /** The profile's JSON from the database, cached unless a notification may have made it stale. */
  async function lookup(id: string): Promise<string | undefined> {
    const cache = app.profileCache
    // Taken before the query is sent, so a notification heard while it runs keeps its answer out
    // of the cache (it may have read the row the notification replaced).
    const ticket = cache.begin(id)
    try {
      const profile = await findProfile(app.db, id)
      if (!profile) return undefined
      const json = profileJson(profile)
      cache.store(ticket, json)
      return json
    } finally {
      cache.release(ticket)
    }
  }

  app.get('/profile/:id', profileRouteOptions(options), async (request, reply) => {
    const { id } = request.params
    const { waitMs } = request.query
    const { profileListener: listener, profileCache: cache } = app
    const cached = cache.get(id)
    if (cached) return sendProfileJson(reply, cached)
    // At the cap only the wait is refused: one lookup, what a request without waitMs costs (and
    // the rate limit bounds), so a profile that exists is still served.
    if (waitMs > 0 && listener.waiterCount >= options.maxWaiters) {
      const json = await lookup(id)
      if (json) return sendProfileJson(reply, json)
      reply.header('retry-after', String(WAIT_RETRY_AFTER_SECONDS))
      throw new WaitCapacityExceeded()
    }
    const deadline = Date.now() + waitMs
    let waiting = waitMs > 0
    for (;;) {
      const remainingMs = deadline - Date.now()
      // Subscribe before looking: a profile committed between the lookup and the subscription
      // would otherwise be missed until the timeout.
      const waiter = waiting && remainingMs > 0 ? listener.wait(id, remainingMs) : undefined
      try {
        const json = await lookup(id)
        if (json) return sendProfileJson(reply, json)
        if (!waiter) throw new ProfileNotFound()
        // Woken: look again. Timed out (or shutting down): look once more, since a notification
        // can be lost (a dropped connection), then answer.
        waiting = await waiter.done
      } finally {
        waiter?.cancel()
      }
    }
  })
}
