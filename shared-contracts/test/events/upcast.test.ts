import { describe, expect, it } from 'vitest'
import { upcastUserRegister } from '../../src/events/upcast.ts'
import {
  TRACEPARENT,
  TRACESTATE,
  userData,
  userRegisterEvent,
  userRegisterEventV2,
} from '../support/events.ts'

describe('upcastUserRegister', () => {
  it('gives a v1 event the undetermined locale and changes nothing else, its id included', () => {
    const v1 = userRegisterEvent({ traceparent: TRACEPARENT, tracestate: TRACESTATE })
    expect(upcastUserRegister(v1)).toStrictEqual({
      ...v1,
      dataversion: 2,
      data: { ...userData(), locale: 'und' },
    })
  })

  it('keeps a display name', () => {
    const v1 = userRegisterEvent({ data: userData({ displayName: 'Ada' }) })
    expect(upcastUserRegister(v1).data).toStrictEqual({ ...userData({ displayName: 'Ada' }), locale: 'und' })
  })

  it('returns a v2 event as it is', () => {
    const v2 = userRegisterEventV2()
    expect(upcastUserRegister(v2)).toBe(v2)
  })

  it('does not modify its argument', () => {
    const v1 = userRegisterEvent()
    upcastUserRegister(v1)
    expect(v1).toStrictEqual(userRegisterEvent())
  })
})
