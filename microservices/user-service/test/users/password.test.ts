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

  // Two scrypt runs at N=2^17 (128 MiB each, all CPU): about 0.4 s each on a free core, 2.8 s at
  // load 10 on two cores, so vitest's 5 s default is a race with the machine, not a bound on the code.
  it('handles the production cost (N=2^17) within scrypt memory limits', { timeout: 60_000 }, async () => {
    const stored = await hashPassword(password, 17)
    expect(stored).toMatch(/^scrypt\$ln=17,r=8,p=1\$/)
    expect(await verifyPassword(password, stored)).toBe(true)
  })

  it('runs at most `concurrency` hashes at once and queues the rest', async () => {
    const hash = passwordHasher({ cost: 4, concurrency: 1, queueMax: 64 })
    const all = Promise.all([hash(password), hash(password), hash(password)])
    await Promise.resolve()
    expect([hash.activeCount, hash.pendingCount]).toEqual([1, 2])
    const hashes = await all
    expect(new Set(hashes).size).toBe(3)
    expect(await verifyPassword(password, hashes[2]!)).toBe(true)
    expect([hash.activeCount, hash.pendingCount]).toEqual([0, 0])
  })

  it('refuses a hash at once when `queueMax` hashes already wait', async () => {
    const hash = passwordHasher({ cost: 4, concurrency: 1, queueMax: 2 })
    const accepted = [hash(password), hash(password), hash(password)]
    await expect(hash(password)).rejects.toMatchObject({ code: 'REGISTRATION_BUSY', statusCode: 503 })
    expect([hash.activeCount, hash.pendingCount, hash.rejectedCount]).toEqual([1, 2, 1])
    expect(await Promise.all(accepted)).toHaveLength(3)
    expect(await verifyPassword(password, await hash(password))).toBe(true) // room again
  })

  it('with `queueMax` 0, hashes while a slot is free and refuses rather than queue', async () => {
    const hash = passwordHasher({ cost: 4, concurrency: 1, queueMax: 0 })
    const running = hash(password)
    await expect(hash(password)).rejects.toMatchObject({ code: 'REGISTRATION_BUSY' })
    expect(await running).toMatch(/^scrypt\$/)
  })

  it('drops a waiting hash whose caller gave up, and never runs it', async () => {
    const hash = passwordHasher({ cost: 4, concurrency: 1, queueMax: 64 })
    const gaveUp = new AbortController()
    const running = hash(password)
    const waiting = hash(password, { signal: gaveUp.signal })
    const behind = hash(password)
    expect(hash.pendingCount).toBe(2)

    gaveUp.abort(new Error('client gone'))
    await expect(waiting).rejects.toThrow('client gone')
    expect([hash.pendingCount, hash.droppedCount]).toEqual([1, 1])
    await Promise.all([running, behind])
    expect([hash.activeCount, hash.pendingCount, hash.droppedCount]).toEqual([0, 0, 1])
  })

  it('lets a running hash finish when its caller gives up, keeping its slot until then', async () => {
    const hash = passwordHasher({ cost: 4, concurrency: 1, queueMax: 64 })
    const gaveUp = new AbortController()
    const running = hash(password, { signal: gaveUp.signal })
    const next = hash(password)
    gaveUp.abort(new Error('client gone'))
    // Still the one running hash, and the next one still waits for it.
    expect([hash.activeCount, hash.pendingCount, hash.droppedCount]).toEqual([1, 1, 0])
    expect(await running).toMatch(/^scrypt\$/)
    expect(await next).toMatch(/^scrypt\$/)
  })

  it('refuses a caller that gave up before asking', async () => {
    const hash = passwordHasher({ cost: 4, concurrency: 1, queueMax: 64 })
    await expect(hash(password, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone')
    expect([hash.activeCount, hash.pendingCount]).toEqual([0, 0])
  })
})
