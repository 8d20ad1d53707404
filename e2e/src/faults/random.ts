/**
 * A small seeded generator (mulberry32): the same seed gives the same fault schedule, poison
 * messages and registrations, so a failing run can be replayed with its seed.
 */
export interface Random {
  readonly seed: number
  /** In [0, 1). */
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  }
}

/** A seed from FAULT_SEED-like input, or a fresh one. */
export function parseSeed(raw: string | undefined): number {
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 2 ** 31)
  const seed = Number(raw)
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`Invalid seed '${raw}'`)
  return seed
}
