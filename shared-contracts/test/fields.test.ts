import { describe, expect, it } from 'vitest'
import {
  DisplayName,
  Email,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  Password,
  Timestamp,
  USERNAME_PATTERN,
  UserId,
  Username,
} from '../src/fields.ts'

/** A syntactically valid address of exactly `length` characters (`length` > 70). */
function emailOfLength(length: number): string {
  const local = 'a'.repeat(64)
  let domain = 'com'
  // Prepend DNS labels of at most 63 characters until the address is long enough.
  while (local.length + 1 + domain.length < length) {
    const room = length - local.length - 1 - domain.length - 1
    domain = `${'b'.repeat(Math.min(63, room))}.${domain}`
  }
  return `${local}@${domain}`
}

describe('UserId', () => {
  it('accepts a UUID and rejects anything else', () => {
    expect(UserId.safeParse('0b5c1c2e-7f4a-4d8e-9c1a-3f2b6a7d8e90').success).toBe(true)
    expect(UserId.safeParse('42').success).toBe(false)
    expect(UserId.safeParse('').success).toBe(false)
  })
})

describe('Email', () => {
  it('accepts an ordinary address', () => {
    expect(Email.parse('ada@example.com')).toBe('ada@example.com')
  })

  it('rejects malformed addresses', () => {
    for (const bad of ['', 'ada', 'ada@', '@example.com', 'ada@example', 'a b@example.com']) {
      expect(Email.safeParse(bad).success, bad).toBe(false)
    }
  })

  it('accepts 254 characters and rejects 255 (RFC 5321 path limit)', () => {
    const longest = emailOfLength(254)
    const tooLong = emailOfLength(255)
    expect(longest).toHaveLength(254)
    expect(tooLong).toHaveLength(255)
    expect(Email.safeParse(longest).success).toBe(true)
    expect(Email.safeParse(tooLong).success).toBe(false)
  })

  it('rejects a local part over 64 characters and a domain label over 63, as the documented `format: email` does', () => {
    // The OpenAPI documents say `format: email`: a fuzzer holding the API to them found both accepted.
    expect(Email.safeParse(`${'a'.repeat(64)}@example.com`).success).toBe(true)
    expect(Email.safeParse(`${'a'.repeat(65)}@example.com`).success).toBe(false)
    expect(Email.safeParse(`ada@${'b'.repeat(63)}.com`).success).toBe(true)
    expect(Email.safeParse(`ada@${'b'.repeat(64)}.com`).success).toBe(false)
  })
})

describe('Username', () => {
  it('accepts 3 to 32 letters, digits or underscores', () => {
    for (const good of ['abc', 'Ada_Lovelace_1815', 'a'.repeat(32), '___']) {
      expect(Username.safeParse(good).success, good).toBe(true)
    }
  })

  it('rejects wrong lengths and characters, with a readable message', () => {
    for (const bad of ['ab', 'a'.repeat(33), 'ada lovelace', 'ada-l', 'adä', 'ada.l', '']) {
      expect(Username.safeParse(bad).success, bad).toBe(false)
    }
    expect(Username.safeParse('ab').error?.issues[0]?.message).toMatch(/3-32 characters/)
  })

  it('exports the same pattern it validates with', () => {
    expect(USERNAME_PATTERN.test('ada_lovelace')).toBe(true)
    expect(USERNAME_PATTERN.test('ada-lovelace')).toBe(false)
  })
})

describe('DisplayName', () => {
  it('trims surrounding whitespace', () => {
    expect(DisplayName.parse('  Ada Lovelace \n')).toBe('Ada Lovelace')
  })

  it('rejects blank names and names over 64 characters after trimming', () => {
    expect(DisplayName.safeParse('').success).toBe(false)
    expect(DisplayName.safeParse('   ').success).toBe(false)
    expect(DisplayName.safeParse('x'.repeat(65)).success).toBe(false)
    expect(DisplayName.parse(` ${'x'.repeat(64)} `)).toHaveLength(64)
  })

  it('rejects the NUL character, which PostgreSQL text cannot hold', () => {
    expect(DisplayName.safeParse('Ada\u0000Lovelace').success).toBe(false)
  })
})

describe('Password', () => {
  it('has the OWASP ASVS bounds', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12)
    expect(PASSWORD_MAX_LENGTH).toBeGreaterThanOrEqual(64)
  })

  it('accepts lengths within the bounds only', () => {
    expect(Password.safeParse('x'.repeat(PASSWORD_MIN_LENGTH - 1)).success).toBe(false)
    expect(Password.safeParse('x'.repeat(PASSWORD_MIN_LENGTH)).success).toBe(true)
    expect(Password.safeParse('x'.repeat(PASSWORD_MAX_LENGTH)).success).toBe(true)
    expect(Password.safeParse('x'.repeat(PASSWORD_MAX_LENGTH + 1)).success).toBe(false)
  })

  it('keeps spaces, so passphrases are not altered', () => {
    expect(Password.parse(' correct horse battery staple ')).toBe(' correct horse battery staple ')
  })
})

describe('Timestamp', () => {
  it('accepts ISO 8601 date-times with Z or an offset', () => {
    expect(Timestamp.safeParse('2025-01-15T10:30:00.000Z').success).toBe(true)
    expect(Timestamp.safeParse('2025-01-15T12:30:00+02:00').success).toBe(true)
  })

  it('rejects local times, dates and free text', () => {
    for (const bad of ['2025-01-15T10:30:00', '2025-01-15', 'yesterday', '2025-02-30T10:30:00Z']) {
      expect(Timestamp.safeParse(bad).success, bad).toBe(false)
    }
  })
})
