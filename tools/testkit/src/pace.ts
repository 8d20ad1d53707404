import { sleep } from '@kafka-ref/local-servers'

/**
 * Calls `send(index)` `count` times, evenly spaced at `rate` per second, and resolves with every
 * result in order. Load tools' rate limits (autocannon's) send each second's budget in a burst at
 * its start, which measures queueing behind the burst; this keeps a steady stream, e.g. while a
 * test breaks something. `serial` waits for each send before the next (an idempotent Kafka client
 * must not have two sends to a partition in flight).
 */
export async function paced<R>(
  count: number,
  rate: number,
  send: (index: number) => Promise<R>,
  { serial = false } = {},
): Promise<R[]> {
  const results: Array<Promise<R>> = []
  const started = performance.now()
  for (let index = 0; index < count; index++) {
    const wait = started + (index * 1000) / rate - performance.now()
    if (wait > 0) await sleep(wait)
    const sent = send(index)
    // Never an unhandled rejection while later sends are still being paced; Promise.all reports it.
    sent.catch(() => undefined)
    if (serial) await sent
    results.push(sent)
  }
  return Promise.all(results)
}
