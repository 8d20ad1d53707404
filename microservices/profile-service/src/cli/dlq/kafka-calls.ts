import { setTimeout as sleep } from 'node:timers/promises'
import rdkafka, { type LibrdKafkaError } from 'node-rdkafka'

/** What an operator is told, in one line, when the command cannot do its work (exit code 1). */
export class DlqError extends Error {
  override readonly name = 'DlqError'
}

export const TIMEOUT_MS = 10_000

export interface ClientOptions {
  brokers: readonly string[]
  clientId: string
}

/** Rejects with a DlqError naming what it was doing, after librdkafka's own words (and its code). */
export function call<T>(
  what: string,
  run: (done: (error: LibrdKafkaError | null | undefined, value: T) => void) => void,
) {
  return new Promise<T>((resolve, reject) =>
    run((error, value) =>
      error
        ? reject(Object.assign(new DlqError(`${what}: ${error.message}`), { code: error.code }))
        : resolve(value),
    ),
  )
}

const { ERR_NOT_COORDINATOR, ERR_COORDINATOR_LOAD_IN_PROGRESS, ERR_COORDINATOR_NOT_AVAILABLE } =
  rdkafka.CODES.ERRORS
/**
 * A group's coordinator moves, or is still loading, right after the group is first used or a broker
 * restarts: the request is right, the moment is not (seen: "Broker: Not coordinator" reading a new
 * group's offsets). Such an answer is asked again, with backoff, for up to TIMEOUT_MS.
 */
const COORDINATOR_NOT_READY = new Set<number>([
  ERR_NOT_COORDINATOR,
  ERR_COORDINATOR_LOAD_IN_PROGRESS,
  ERR_COORDINATOR_NOT_AVAILABLE,
])

export async function untilCoordinatorReady<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS
  for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1_000)) {
    try {
      return await attempt()
    } catch (error) {
      const code = (error as { code?: unknown }).code
      const retry =
        typeof code === 'number' && COORDINATOR_NOT_READY.has(code) && Date.now() + delayMs < deadline
      if (!retry) throw error
      await sleep(delayMs)
    }
  }
}
