import { describe, expect, it } from 'vitest'
import { EventRegistry } from '../../src/events/registry.ts'
import { UserRegisterEventV1 } from '../../src/events/user-register.ts'
import { EventTypes } from '../../src/names.ts'
import { userRegisterEvent } from '../support/events.ts'

describe('EventRegistry', () => {
  it('registers user_register v1', () => {
    expect(EventRegistry[EventTypes.userRegister][1]).toBe(UserRegisterEventV1)
  })

  it('registers every event type, and only those', () => {
    expect(Object.keys(EventRegistry).sort()).toEqual(Object.values(EventTypes).sort())
  })

  it('files each schema under the type and version it accepts', () => {
    for (const [type, versions] of Object.entries(EventRegistry)) {
      for (const [version, schema] of Object.entries(versions)) {
        const event = { ...userRegisterEvent(), type, dataversion: Number(version) }
        // Only the pinned type and version may pass; the data is user_register-shaped here.
        expect(schema.safeParse({ ...event, type: `${type}_x` }).success).toBe(false)
        expect(schema.safeParse({ ...event, dataversion: Number(version) + 1 }).success).toBe(false)
      }
    }
  })
})
