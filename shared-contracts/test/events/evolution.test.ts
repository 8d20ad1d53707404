import { describe, expect, it } from 'vitest'
import { decode } from '../../src/codec/codec.ts'
import { EventRegistry } from '../../src/events/registry.ts'
import { userData, userRegisterEvent } from '../support/events.ts'

/**
 * Evolution rules, seen from a consumer built against v1:
 * - adding an optional field is compatible: old consumers ignore it (tolerant reader);
 * - removing or renaming a required field is breaking: it is rejected, never guessed;
 * - a breaking change is a new data version, i.e. a new registry entry, never an edit of v1.
 */
describe('v1 consumer', () => {
  const decodeJson = (value: unknown) => decode({ value: JSON.stringify(value) })

  it('accepts a v1 event with unknown fields at the top level and in data', () => {
    const event = {
      ...userRegisterEvent(),
      // An extension attribute this build does not know (CloudEvents' partitioning extension).
      partitionkey: 'users',
      data: { ...userData(), locale: 'en-GB', preferences: { newsletter: false } },
    }
    const result = decodeJson(event)
    expect(result.ok).toBe(true)
    // Unknown fields are stripped, so a consumer cannot come to depend on them by accident.
    expect(result.ok && result.event).toEqual(userRegisterEvent())
  })

  it.each(['userId', 'email', 'username', 'registeredAt'])('rejects a v1 event missing data.%s', (name) => {
    const result = decodeJson({ ...userRegisterEvent(), data: { ...userData(), [name]: undefined } })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error.reason).toBe('schema_violation')
    expect(!result.ok && result.error.issues[0]?.path).toEqual(['data', name])
  })

  it('rejects a v1 event missing a required attribute', () => {
    const { correlationid: _, ...event } = userRegisterEvent()
    const result = decodeJson(event)
    expect(!result.ok && result.error.reason).toBe('schema_violation')
  })

  it('reports dataversion 2 as unsupported_version, even when its data would pass as v1', () => {
    const result = decodeJson({ ...userRegisterEvent(), dataversion: 2 })
    expect(!result.ok && result.error.reason).toBe('unsupported_version')
  })

  it('keeps v1 in the registry: versions are added, never replaced', () => {
    for (const versions of Object.values(EventRegistry)) expect(Object.keys(versions)).toContain('1')
  })
})
