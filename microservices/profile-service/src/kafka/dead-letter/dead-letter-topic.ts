import type { FastifyBaseLogger } from 'fastify'

/** `unchecked` until the broker answered (e.g. while it is unreachable). */
export type DeadLetterTopicState = 'unchecked' | 'present' | 'missing'

export interface DeadLetterTopicCheckOptions {
  topic: string
  /** Asks the broker; rejects when it cannot tell (unreachable, producer recreating). */
  exists: (timeoutMs: number) => Promise<boolean>
  log: FastifyBaseLogger
  /** How often the broker is asked again, so a topic deleted later, or created, is noticed. */
  intervalMs?: number
  /** Bound of one question. */
  timeoutMs?: number
}

/** A missing topic is a deployment mistake an operator fixes by hand: a minute is soon enough to notice. */
const DEFAULT_INTERVAL_MS = 60_000
const DEFAULT_TIMEOUT_MS = 5_000

/**
 * Knows whether the dead-letter topic exists. Without it, the first message that must be
 * dead-lettered holds its partition (retried, never skipped) until the topic is created, and
 * nothing said why before that message came. Checked at start and then every `intervalMs`, and
 * again whenever a publish fails; a missing topic is logged at error, naming it, once per change.
 */
export class DeadLetterTopicCheck {
  readonly #options: Required<DeadLetterTopicCheckOptions>
  #state: DeadLetterTopicState = 'unchecked'
  #timer: NodeJS.Timeout | undefined
  #checking: Promise<void> | undefined
  #stopped = false

  constructor(options: DeadLetterTopicCheckOptions) {
    this.#options = { intervalMs: DEFAULT_INTERVAL_MS, timeoutMs: DEFAULT_TIMEOUT_MS, ...options }
  }

  get state(): DeadLetterTopicState {
    return this.#state
  }

  /** The first check, then one every interval. Resolves once the first has an answer (or none). */
  start(): Promise<void> {
    this.#stopped = false
    // Started again (a connect retried): still one timer.
    clearInterval(this.#timer)
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs)
    this.#timer.unref()
    return this.check()
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
  }

  /** Asks the broker now (one question at a time); never throws. */
  check(): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    this.#checking ??= this.#ask().finally(() => {
      this.#checking = undefined
    })
    return this.#checking
  }

  /** A publish was acknowledged: the topic is there. */
  found(): void {
    this.#set('present')
  }

  async #ask(): Promise<void> {
    const { exists, timeoutMs, log, topic } = this.#options
    try {
      this.#set((await exists(timeoutMs)) ? 'present' : 'missing')
    } catch (err) {
      // The consumer's own state reports an unreachable broker; this only keeps what it knew.
      log.debug({ err, deadLetterTopic: topic }, 'cannot check the dead-letter topic now')
    }
  }

  #set(state: Exclude<DeadLetterTopicState, 'unchecked'>) {
    const { log, topic } = this.#options
    if (state === this.#state) return
    const before = this.#state
    this.#state = state
    if (state === 'missing') {
      log.error(
        { deadLetterTopic: topic },
        `dead-letter topic ${topic} does not exist: a message that must be dead-lettered will hold its partition until it is created`,
      )
    } else if (before === 'missing') {
      log.info({ deadLetterTopic: topic }, `dead-letter topic ${topic} exists now`)
    }
  }
}
