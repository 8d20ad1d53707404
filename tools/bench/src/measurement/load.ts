import { userRequest } from '@kafka-ref/testkit/clients'
import autocannon from 'autocannon'

/** The same settings for a subject and its baseline. */
export interface LoadSettings {
  connections: number
  pipelining: number
  seconds: number
  /** Requests per second across all connections; unset = as fast as the server answers. */
  overallRate?: number
}

export interface LoadResult {
  /** Successful (2xx) responses per second. */
  rps: number
  p50Ms: number
  p99Ms: number
  ok: number
  /** Non-2xx responses plus connection errors and timeouts: any is reported, since it flatters rps. */
  failed: number
}

export interface LoadTarget {
  url: string
  method?: 'GET' | 'POST'
  /** A new JSON body per request (unique emails and usernames). */
  body?: () => unknown
}

/** Runs autocannon in this process; its own CPU use is the same for a subject and its baseline. */
export async function fire(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  const { body } = target
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: target.url,
        connections: settings.connections,
        pipelining: settings.pipelining,
        duration: settings.seconds,
        overallRate: settings.overallRate,
        // scrypt at the production cost queues requests for seconds; none should be cut off.
        timeout: 60,
        requests: [
          {
            method: target.method ?? 'GET',
            ...(body && {
              headers: { 'content-type': 'application/json' },
              setupRequest: (request: autocannon.Request) => ({ ...request, body: JSON.stringify(body()) }),
            }),
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    )
  })
  return {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors,
  }
}

/** Unique, valid registrations: a per-run prefix keeps re-runs on one database unique too. */
export function registrationBodies(prefix: string) {
  let counter = 0
  return () => userRequest(prefix, ++counter)
}
