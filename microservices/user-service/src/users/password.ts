import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'
import pLimit from 'p-limit'

const SALT_BYTES = 16
const KEY_BYTES = 64
const BLOCK_SIZE = 8
const PARALLELISM = 1
const PREFIX = 'scrypt'

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    )
  })
}

/** scrypt needs 128·N·r·p bytes; Node's default cap (32 MiB) is below N=2^17, r=8, so raise it. */
function scryptOptions(logN: number, r: number, p: number): ScryptOptions {
  const N = 2 ** logN
  return { N, r, p, maxmem: 2 * 128 * N * r * p }
}

/**
 * Hashes a password as `scrypt$ln=17,r=8,p=1$<salt>$<key>` (base64). The parameters travel with
 * the hash, so raising the cost later still verifies every stored password.
 */
export async function hashPassword(password: string, logN: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, KEY_BYTES, scryptOptions(logN, BLOCK_SIZE, PARALLELISM))
  const params = `ln=${logN},r=${BLOCK_SIZE},p=${PARALLELISM}`
  return [PREFIX, params, salt.toString('base64'), key.toString('base64')].join('$')
}

const STORED_HASH = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED_HASH.exec(stored)
  if (!match) return false
  const [, logN, r, p, salt, key] = match
  const expected = Buffer.from(key!, 'base64')
  if (expected.length === 0) return false
  const actual = await derive(
    password,
    Buffer.from(salt!, 'base64'),
    expected.length,
    scryptOptions(Number(logN), Number(r), Number(p)),
  )
  return timingSafeEqual(actual, expected)
}

export interface PasswordHasher {
  (password: string): Promise<string>
  /** Hashes running now / waiting for a slot. */
  readonly activeCount: number
  readonly pendingCount: number
}

/**
 * Hashes with at most `concurrency` scrypt runs at once. scrypt runs on libuv's thread pool (4
 * threads by default), which node-postgres also needs to resolve and open connections: left
 * unbounded, a burst of registrations at OWASP cost fills the pool for seconds and new database
 * connections time out. Each run also holds 128·N·r bytes (128 MiB at N=2^17).
 */
export function passwordHasher({ cost, concurrency }: { cost: number; concurrency: number }): PasswordHasher {
  const limit = pLimit(concurrency)
  const hash = (password: string) => limit(() => hashPassword(password, cost))
  return Object.defineProperties(hash, {
    activeCount: { get: () => limit.activeCount },
    pendingCount: { get: () => limit.pendingCount },
  }) as PasswordHasher
}
