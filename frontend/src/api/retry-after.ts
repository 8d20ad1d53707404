/**
 * Seconds to wait from a `Retry-After` header (RFC 9110: delay-seconds or an HTTP-date), or
 * undefined when there is none or it cannot be read.
 */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text)
  // An HTTP-date names its day and month; Date.parse alone would read '-5' as the year -5.
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, Math.ceil((at - now) / 1000))
}
