import { randomBytes } from 'node:crypto'

/**
 * `count` distinct IPv6 addresses of one /64 (`prefix`: its first four groups), each with random
 * low 64 bits: one host taking a fresh address for every request, as a /64 lets it.
 */
export function addressesOfOneSlash64(count: number, prefix = '2001:db8:1:2'): string[] {
  return Array.from(
    { length: count },
    () => `${prefix}:${randomBytes(8).toString('hex').match(/..../g)!.join(':')}`,
  )
}
