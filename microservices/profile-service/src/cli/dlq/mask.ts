import type { DeadLetter } from './dead-letter.ts'

/**
 * Fields of an event's `data` shown as they are in a sample: they say nothing about who the user
 * is. Everything else in `data` is masked, including fields a newer version adds: a sample
 * printed in a terminal or a ticket must not leak a name or an address.
 */
const SHOWN_DATA = new Set(['registeredAt', 'locale'])
/** Envelope attributes that identify the user rather than the event. */
const ID_ATTRIBUTES = new Set(['subject'])

/** `ada@example.com` → `a***@e***`; `Ada Lovelace` → `A***`. Never longer than 8 characters of the original. */
export function maskText(text: string): string {
  const at = text.lastIndexOf('@')
  if (at > 0) return `${maskText(text.slice(0, at))}@${maskText(text.slice(at + 1))}`
  const first = Array.from(text)[0]
  return first === undefined ? '' : `${first}***`
}

/** A user id cut to its first 8 characters: enough to find it again, not to read it off a screen. */
export const maskId = (id: string) => (id.length > 8 ? `${id.slice(0, 8)}…` : id)

function maskData(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return '***'
  return Object.fromEntries(
    Object.entries(data).map(([name, value]) => {
      if (SHOWN_DATA.has(name)) return [name, value]
      if (name === 'userId' && typeof value === 'string') return [name, maskId(value)]
      return [name, typeof value === 'string' ? maskText(value) : '***']
    }),
  )
}

/** The value as a sample may show it: an event with its personal data masked, else its size only. */
export function maskedValue(value: Buffer | null): unknown {
  if (value === null || value.length === 0) return null
  let event: unknown
  try {
    event = JSON.parse(value.toString('utf8'))
  } catch {
    return `<${value.length} bytes, not JSON>`
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return `<${value.length} bytes of JSON>`
  return Object.fromEntries(
    Object.entries(event).map(([name, attribute]) => {
      if (name === 'data') return [name, maskData(attribute)]
      if (ID_ATTRIBUTES.has(name) && typeof attribute === 'string') return [name, maskId(attribute)]
      return [name, attribute]
    }),
  )
}

/** One dead letter as a dry run shows it. */
export function sample(deadLetter: DeadLetter) {
  return {
    at: `${deadLetter.partition}/${deadLetter.offset}`,
    source:
      deadLetter.source &&
      `${deadLetter.source.topic} ${deadLetter.source.partition}/${deadLetter.source.offset}`,
    reason: deadLetter.reason,
    // The decode error repeats no field values (zod's messages name paths), but it is capped all the same.
    error: deadLetter.error.slice(0, 200),
    dataVersion: deadLetter.dataVersion,
    redriveCount: deadLetter.redriveCount,
    key: deadLetter.key && maskId(deadLetter.key.toString('utf8')),
    value: maskedValue(deadLetter.value),
  }
}
