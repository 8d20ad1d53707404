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

/** Unique, valid registrations: a per-process prefix keeps re-runs on one database unique too. */
export function registrationBodies(prefix: string) {
  let counter = 0
  return () => {
    counter += 1
    const name = `${prefix}_${counter}`
    return { email: `${name}@bench.example.com`, username: name, password: 'correct horse battery staple' }
  }
}

/**
 * Calls `send(index)` `count` times, evenly spaced at `rate` per second. autocannon's own rate
 * limit sends each second's budget in a burst at the start of the second, which would measure
 * queueing behind the burst instead of the pipeline's latency. `serial` waits for each send
 * before the next (an idempotent Kafka client must not have two sends to a partition in flight).
 */
export async function paced(
  count: number,
  rate: number,
  send: (index: number) => Promise<unknown>,
  { serial = false } = {},
): Promise<void> {
  const pending: Promise<unknown>[] = []
  const started = performance.now()
  for (let index = 0; index < count; index++) {
    const wait = started + (index * 1000) / rate - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const sent = send(index)
    if (serial) await sent
    else pending.push(sent)
  }
  await Promise.all(pending)
}

/** POSTs a JSON body; resolves to whether the answer was 2xx. */
export async function postJson(url: string, body: unknown): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  await response.arrayBuffer()
  return response.ok
}
