/**
 * A stable code: lowercase words joined by `-` (`ok`, `unavailable`, `check-failed`, `connecting`),
 * or a librdkafka error code (`ERR__TRANSPORT`). Not a topic (`user_register`), a host or a sentence.
 */
const CODE = /^([a-z]+(-[a-z]+)*|[A-Z][A-Z0-9_]*)$/

/**
 * The string values of a readiness body that are not stable codes: host names, topic names, error
 * text. A readiness body is for whoever reaches the port, so it should have none (details are
 * flags, counts and codes; the rest goes to the log).
 */
export function readinessInternals(body: unknown): string[] {
  if (typeof body === 'string') return CODE.test(body) ? [] : [body]
  if (Array.isArray(body)) return body.flatMap(readinessInternals)
  if (body && typeof body === 'object') return Object.values(body).flatMap(readinessInternals)
  return []
}
