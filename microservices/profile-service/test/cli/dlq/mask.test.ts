import { describe, expect, it } from 'vitest'
import { maskedValue, maskText } from '../../../src/cli/dlq/mask.ts'

const USER_ID = '0b5c1c2e-7f4a-4d8e-9c1a-3f2b6a7d8e90'

describe('maskedValue', () => {
  it('masks every personal field of an event, new ones included, and keeps what identifies the event', () => {
    const event = {
      id: '5f3c8a9e-2b1d-4e6f-8a7b-9c0d1e2f3a4b',
      type: 'user_register',
      dataversion: 2,
      subject: USER_ID,
      data: {
        userId: USER_ID,
        email: 'ada@example.com',
        username: 'ada_lovelace',
        displayName: 'Ada Lovelace',
        locale: 'en-GB',
        registeredAt: '2025-01-15T10:30:00.000Z',
        phone: '+44 20 7946 0000',
        address: { city: 'London' },
      },
    }
    const masked = maskedValue(Buffer.from(JSON.stringify(event)))
    expect(masked).toEqual({
      id: event.id,
      type: 'user_register',
      dataversion: 2,
      subject: '0b5c1c2e…',
      data: {
        userId: '0b5c1c2e…',
        email: 'a***@e***',
        username: 'a***',
        displayName: 'A***',
        locale: 'en-GB',
        registeredAt: '2025-01-15T10:30:00.000Z',
        phone: '+***',
        address: '***',
      },
    })
    const text = JSON.stringify(masked)
    for (const secret of ['ada@example.com', 'lovelace', 'Lovelace', 'London', '7946', USER_ID])
      expect(text).not.toContain(secret)
  })

  it('shows only the size of a value that is not a JSON object', () => {
    expect(maskedValue(Buffer.from([0xff, 0xfe]))).toBe('<2 bytes, not JSON>')
    expect(maskedValue(Buffer.from('["ada@example.com"]'))).toBe('<19 bytes of JSON>')
    expect(maskedValue(Buffer.from('{"data":"ada@example.com"}'))).toEqual({ data: '***' })
    expect(maskedValue(null)).toBeNull()
  })

  it('keeps one character of each side of an address, and of a name', () => {
    expect(maskText('ada@example.com')).toBe('a***@e***')
    expect(maskText('Ørsted')).toBe('Ø***')
    expect(maskText('')).toBe('')
  })
})
