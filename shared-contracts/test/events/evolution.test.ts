import { describe, expect, it } from 'vitest'
import { decode } from '../../src/codec/codec.ts'
import { EventRegistry } from '../../src/events/registry.ts'
import { userData, userRegisterEvent, userRegisterEventV2 } from '../support/events.ts'

const decodeJson = (value: unknown, acceptedVersions?: { user_register: number[] }) =>
  decode({ value: JSON.stringify(value) }, acceptedVersions ? { acceptedVersions } : {})

/**
 * Evolution rules, seen from a consumer built against v1:
 * - adding an optional field is compatible: old consumers ignore it (tolerant reader);
 * - removing or renaming a required field is breaking: it is rejected, never guessed;
 * - a breaking change is a new data version, i.e. a new registry entry, never an edit of v1.
 */
describe('v1 consumer', () => {
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
    const result = decodeJson({ ...userRegisterEvent(), dataversion: 2 }, { user_register: [1] })
    expect(!result.ok && result.error.reason).toBe('unsupported_version')
    // And a real v2 event (its data is v1's plus a field v1 readers would ignore) all the same.
    const v2 = decodeJson(userRegisterEventV2(), { user_register: [1] })
    expect(!v2.ok && v2.error.reason).toBe('unsupported_version')
    expect(!v2.ok && v2.error.message).toContain('not supported')
  })

  it('keeps v1 in the registry: versions are added, never replaced', () => {
    for (const versions of Object.values(EventRegistry)) expect(Object.keys(versions)).toContain('1')
  })
})

/** v2 adds a required `locale`: a breaking change, so a new version next to v1. */
describe('v2 consumer', () => {
  it('accepts both versions, each under its own schema', () => {
    expect(decodeJson(userRegisterEvent())).toEqual({ ok: true, event: userRegisterEvent() })
    expect(decodeJson(userRegisterEventV2())).toEqual({ ok: true, event: userRegisterEventV2() })
  })

  it('rejects a v2 event without its locale instead of guessing one', () => {
    const result = decodeJson({ ...userRegisterEventV2(), data: userData() })
    expect(!result.ok && result.error.reason).toBe('schema_violation')
    expect(!result.ok && result.error.issues[0]?.path).toEqual(['data', 'locale'])
  })

  it.each(['english', 'en_GB', 'e', `en-${'x'.repeat(9)}`, '', `en${'-abc'.repeat(9)}`])(
    'rejects %j as a locale',
    (locale) => {
      const result = decodeJson(userRegisterEventV2({}, locale))
      expect(!result.ok && result.error.issues[0]?.path).toEqual(['data', 'locale'])
    },
  )

  it.each(['en', 'en-GB', 'zh-Hant-TW', 'und', 'es-419'])('accepts %j as a locale', (locale) => {
    expect(decodeJson(userRegisterEventV2({}, locale)).ok).toBe(true)
  })
})
