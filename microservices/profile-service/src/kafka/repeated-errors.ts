import type { FastifyBaseLogger } from 'fastify'

/** One line per kind of client error per this long; the repeats are counted into the next line. */
export const REPEATED_ERROR_INTERVAL_MS = 10_000
/** Kinds remembered at once (librdkafka's texts name brokers, so there are few; this bounds them anyway). */
const MAX_KINDS = 100

/**
 * A warn logger for a librdkafka client's `event.error`. While a broker is down librdkafka reports
 * every failed reconnect (measured: about five lines a second per client through a 20 s outage,
 * 671 lines in one benchmark run), which buries everything else in the log. The first of a kind
 * is logged at once, the next after the interval with `repeated` = how many were left out.
 */
export function repeatedErrorLog(
  log: FastifyBaseLogger,
  message: string,
  { intervalMs = REPEATED_ERROR_INTERVAL_MS, now = () => performance.now() } = {},
): (err: { message: string }) => void {
  const kinds = new Map<string, { loggedAt: number; repeated: number }>()
  return (err) => {
    const at = now()
    const kind = kinds.get(err.message)
    if (kind && at - kind.loggedAt < intervalMs) {
      kind.repeated += 1
      return
    }
    if (!kind && kinds.size >= MAX_KINDS) kinds.clear()
    kinds.set(err.message, { loggedAt: at, repeated: 0 })
    log.warn(kind?.repeated ? { err, repeated: kind.repeated } : { err }, message)
  }
}
