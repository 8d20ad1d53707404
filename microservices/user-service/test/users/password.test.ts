import { describe, expect, it } from 'vitest'
import { hashPassword, passwordHasher, verifyPassword } from '../../src/users/password.ts'

const password = 'correct horse battery staple'

describe('password hashing', () => {
  it('stores the scrypt parameters and a random salt with the hash', async () => {
    const first = await hashPassword(password, 4)
    const second = await hashPassword(password, 4)
    expect(first).toMatch(/^scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/)
    expect(first).not.toBe(second)
    expect(first).not.toContain(password)
  })

  it('verifies the right password only', async () => {
    const stored = await hashPassword(password, 4)
    expect(await verifyPassword(password, stored)).toBe(true)
    expect(await verifyPassword(`${password}!`, stored)).toBe(false)
    expect(await verifyPassword(password, 'scrypt$ln=4,r=8,p=1$AAAA$')).toBe(false)
    expect(await verifyPassword(password, 'not a hash')).toBe(false)
  })

  it('handles the production cost (N=2^17) within scrypt memory limits', async () => {
    const stored = await hashPassword(password, 17)
    expect(stored).toMatch(/^scrypt\$ln=17,r=8,p=1\$/)
    expect(await verifyPassword(password, stored)).toBe(true)
  })

  it('runs at most `concurrency` hashes at once and queues the rest', async () => {
    const hash = passwordHasher({ cost: 4, concurrency: 1 })
    const all = Promise.all([hash(password), hash(password), hash(password)])
    await Promise.resolve()
    expect([hash.activeCount, hash.pendingCount]).toEqual([1, 2])
    const hashes = await all
    expect(new Set(hashes).size).toBe(3)
    expect(await verifyPassword(password, hashes[2]!)).toBe(true)
    expect([hash.activeCount, hash.pendingCount]).toEqual([0, 0])
  })
})
