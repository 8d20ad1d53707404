import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'
import PQueue from 'p-queue'
import { RegistrationBusy } from './errors.ts'

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

export interface HashOptions {
  /** The caller gave up (its client disconnected): leave the queue instead of hashing for nobody. */
  signal?: AbortSignal
}

export interface PasswordHasher {
  (password: string, options?: HashOptions): Promise<string>
  /** Hashes running now / waiting for a slot. */
  readonly activeCount: number
  readonly pendingCount: number
  /** Since start: refused because the queue was full / left the queue because the caller gave up. */
  readonly rejectedCount: number
  readonly droppedCount: number
}

export interface PasswordHasherOptions {
  /** log2 of scrypt's N. */
  cost: number
  /** scrypt runs at once. */
  concurrency: number
  /** Hashes that may wait for a slot; one more is refused with {@link RegistrationBusy}. */
  queueMax: number
}

/**
 * Hashes with at most `concurrency` scrypt runs at once. scrypt runs on libuv's thread pool (4
 * threads by default), which node-postgres also needs to resolve and open connections: left
 * unbounded, a burst of registrations at OWASP cost fills the pool for seconds and new database
 * connections time out. Each run also holds 128·N·r bytes (128 MiB at N=2^17).
 *
 * The wait is bounded too: past `queueMax` waiting hashes a caller is refused at once (a 503 it can
 * retry), instead of queueing for longer than any client waits. A waiting hash whose caller gave
 * up leaves the queue; one already running finishes, since scrypt cannot be stopped and its
 * slot must stay taken until its thread is free.
 */
export function passwordHasher({ cost, concurrency, queueMax }: PasswordHasherOptions): PasswordHasher {
  const queue = new PQueue({ concurrency })
  let rejected = 0
  let dropped = 0

  const hash = async (password: string, { signal }: HashOptions = {}) => {
    signal?.throwIfAborted()
    if (queue.pending >= concurrency && queue.size >= queueMax) {
      rejected += 1
      throw new RegistrationBusy()
    }
    // p-queue also rejects a *running* task whose signal aborts, and frees its slot while scrypt
    // still runs; so the queue gets a signal that follows the caller's only until the task starts.
    const whileQueued = new AbortController()
    const leave = () => whileQueued.abort(signal?.reason)
    signal?.addEventListener('abort', leave, { once: true })
    try {
      return await queue.add(
        () => {
          signal?.removeEventListener('abort', leave)
          return hashPassword(password, cost)
        },
        { signal: whileQueued.signal },
      )
    } catch (error) {
      if (whileQueued.signal.aborted) dropped += 1
      throw error
    } finally {
      signal?.removeEventListener('abort', leave)
    }
  }
  return Object.defineProperties(hash, {
    activeCount: { get: () => queue.pending },
    pendingCount: { get: () => queue.size },
    rejectedCount: { get: () => rejected },
    droppedCount: { get: () => dropped },
  }) as PasswordHasher
}
