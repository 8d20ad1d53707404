import { describe, expect, it } from 'vitest'
import { encode } from '../../src/codec/codec.ts'
import { type HeaderList, readHeader } from '../../src/codec/read-header.ts'
import { EventHeaders } from '../../src/names.ts'
import { userRegisterEvent } from '../support/events.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('readHeader', () => {
  it('reads what encode set, whether the client hands values over as text or bytes', () => {
    const event = userRegisterEvent()
    const { headers } = encode(event)
    const asText = Object.entries(headers).map(([name, value]) => ({ [name]: value }))
    const asBytes = Object.entries(headers).map(([name, value]) => ({ [name]: bytes(value) }))
    for (const list of [asText, asBytes]) {
      expect(readHeader(list, EventHeaders.id)).toBe(event.id)
      expect(readHeader(list, EventHeaders.correlationId)).toBe(event.correlationid)
    }
  })

  it('takes the first of a repeated header, and nothing from a missing one', () => {
    const list: HeaderList = [{ a: 'first' }, { b: bytes('other') }, { a: 'second' }]
    expect(readHeader(list, 'a')).toBe('first')
    expect(readHeader(list, 'missing')).toBeUndefined()
    expect(readHeader(undefined, 'a')).toBeUndefined()
    // An inherited name is not a header.
    expect(readHeader(list, 'toString')).toBeUndefined()
  })

  it('reads bytes that are not UTF-8 without throwing (a header is a hint)', () => {
    expect(readHeader([{ a: new Uint8Array([0x41, 0xff]) }], 'a')).toBe('A\uFFFD')
  })
})
