import rdkafka, { type KafkaConsumer } from 'node-rdkafka'

const { ERR__FATAL } = rdkafka.CODES.ERRORS
const CODE_NAMES = new Map(Object.entries(rdkafka.CODES.ERRORS).map(([name, code]) => [code, name]))

/**
 * librdkafka's name of an error's code (`ERR__TRANSPORT`), `UNKNOWN` without one: what health
 * details show, since librdkafka's texts may name brokers.
 */
export function errorCodeName(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  return (typeof code === 'number' && CODE_NAMES.get(code)) || 'UNKNOWN'
}

/** The fatal errors a consumer tells apart: a fenced static member, or any other. */
export const FATAL_ERROR_CODES = ['ERR_FENCED_INSTANCE_ID', 'ERR__FATAL'] as const
export type FatalErrorCode = (typeof FATAL_ERROR_CODES)[number]

export interface FatalError {
  code: FatalErrorCode
  /** librdkafka's text, for the log (it may name brokers: never for health details). */
  reason: string
}

/** librdkafka's err2str of ERR_FENCED_INSTANCE_ID (rdkafka.c), which its FATAL log line quotes. */
const FENCED_INSTANCE_TEXT = 'Static consumer fenced by other consumer with same group.instance.id'

export function fatalErrorCode(reason: string): FatalErrorCode {
  return reason.includes(FENCED_INSTANCE_TEXT) ? 'ERR_FENCED_INSTANCE_ID' : 'ERR__FATAL'
}

/**
 * The cause of a fatal error from librdkafka's log line, if `entry` is one. librdkafka raises
 * every fatal error through rd_kafka_set_fatal_error(), which logs it at LOG_EMERG with the
 * facility FATAL ("Fatal error: <error>: <detail>"): the one signal node-rdkafka passes on with
 * the cause, as it has no binding of rd_kafka_fatal_error().
 */
export function fatalLogReason(entry: { fac?: string; message?: string }): string | undefined {
  if (entry.fac !== 'FATAL') return undefined
  return (entry.message ?? '').replace(/^\[thrd:[^\]]*\]: /, '')
}

/** An error that says "fatal" by its code or flag (what consume() or produce() hand back). */
export function isFatalError(error: unknown): boolean {
  const { code, isFatal } = (error ?? {}) as { code?: unknown; isFatal?: unknown }
  return isFatal === true || code === ERR__FATAL
}

/**
 * The fatal error of one librdkafka consumer, from either signal: its FATAL log line (with the
 * cause) or an ERR__FATAL from a call (consume() gives no cause, and none at all when the same
 * call already got messages). The first report calls `onFatal`; the log line's replaces a causeless one.
 */
export class FatalErrorWatch {
  readonly #onFatal: (error: FatalError) => void
  #error: FatalError | undefined

  constructor(client: Pick<KafkaConsumer, 'on'>, onFatal: (error: FatalError) => void) {
    this.#onFatal = onFatal
    client.on('event.log', (entry) => {
      const reason = fatalLogReason(entry)
      if (reason !== undefined) this.#report({ code: fatalErrorCode(reason), reason }, true)
    })
  }

  get error(): FatalError | undefined {
    return this.#error
  }

  /** True if `error`, from a call, is fatal (and then reported). */
  check(error: unknown): boolean {
    if (!isFatalError(error)) return false
    this.#report({ code: 'ERR__FATAL', reason: (error as Error).message }, false)
    return true
  }

  #report(error: FatalError, withCause: boolean) {
    const first = this.#error === undefined
    if (first || withCause) this.#error = error
    if (first) this.#onFatal(error)
  }
}
