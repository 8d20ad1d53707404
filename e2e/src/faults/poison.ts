import { type DecodeErrorReason, DecodeErrorReasons, MAX_EVENT_BYTES } from '@kafka-ref/shared-contracts'
import { fixtureVectors } from '@kafka-ref/testkit/clients'
import type { Random } from './random.ts'

/** A message no decoder accepts, with the reason the contract says it must be rejected for. */
export interface Poison {
  kind: string
  value: Buffer
  reason: DecodeErrorReason
}

/** The contract's own invalid golden vectors: every way a small message can be wrong. */
async function invalidVectors(): Promise<Poison[]> {
  return (await fixtureVectors())
    .filter((vector) => !vector.ok)
    .map((vector) => ({
      kind: vector.file
        .split('/')
        .at(-1)!
        .replace(/\.\w+$/, ''),
      value: vector.bytes,
      reason: vector.reason as DecodeErrorReason,
    }))
}

/** Close to the broker's default record limit (1,048,588 bytes with headers and framing). */
export const NEAR_LIMIT_BYTES = 1_000_000

function oversized(bytes: number): Poison {
  return { kind: `oversized-${bytes}`, value: Buffer.alloc(bytes, 'x'), reason: DecodeErrorReasons.oversized }
}

/**
 * Draws poison messages: mostly the small invalid vectors, sometimes one larger than the codec's
 * limit (up to 1 MB); the first draw is always the near-1 MB one, so every run sends it.
 */
export async function poisonSource(random: Random): Promise<() => Poison> {
  const vectors = await invalidVectors()
  let drawn = 0
  return () => {
    drawn += 1
    if (drawn === 1) return oversized(NEAR_LIMIT_BYTES)
    if (random.next() < 0.15) return oversized(random.int(MAX_EVENT_BYTES + 1, NEAR_LIMIT_BYTES))
    return random.pick(vectors)
  }
}
