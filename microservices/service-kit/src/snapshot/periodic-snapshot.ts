import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

export interface PeriodicSnapshotOptions<T> {
  /** Names it in logs, e.g. `outbox status`. */
  name: string
  /** Pause between the end of one read and the start of the next (`STATUS_REFRESH_MS`). */
  intervalMs: number
  /** The costly read: a query, a broker round trip. Bound it yourself (a statement or request timeout). */
  read: () => Promise<T>
  log: FastifyBaseLogger
}

/**
 * State that costs a query or a broker round trip to read, read on a timer instead of at every
 * request: readiness probes and metric scrapes serve the last value, whatever their number, so an
 * anonymous flood of them costs the database and the broker nothing. The next read starts
 * `intervalMs` after the previous one ended: reads never overlap, and a slow one delays the next
 * instead of piling up behind it. A read that fails makes the value `undefined` (unknown, never
 * a stale figure), logged once per run of failures.
 */
export class PeriodicSnapshot<T> {
  readonly #options: PeriodicSnapshotOptions<T>
  #value: T | undefined
  #failing = false
  #reading: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: PeriodicSnapshotOptions<T>) {
    this.#options = options
  }

  /** The last read's result; `undefined` before the first read and after a failed one. */
  get value(): T | undefined {
    return this.#value
  }

  /** Reads now, then every interval until `stop()`. Resolves once the first read is done. */
  async start(): Promise<void> {
    this.#stopped = false
    await this.#refresh()
  }

  /** No further read; resolves once a read under way has ended (so its connection can be closed). */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#reading
  }

  #refresh(): Promise<void> {
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined
      if (this.#stopped) return
      this.#timer = setTimeout(() => void this.#refresh(), this.#options.intervalMs)
      // The timer alone must not keep a process alive that is otherwise done.
      this.#timer.unref()
    })
    return this.#reading
  }

  async #read(): Promise<void> {
    const { name, log } = this.#options
    try {
      this.#value = await this.#options.read()
      if (this.#failing) log.info({ snapshot: name }, 'status read again')
      this.#failing = false
    } catch (err) {
      this.#value = undefined
      if (!this.#failing) log.warn({ err, snapshot: name }, 'status read failed; reported as unknown')
      this.#failing = true
    }
  }
}

/** A snapshot started when the app is ready (its first read done by then) and stopped when it closes. */
export function periodicSnapshot<T>(
  app: FastifyInstance,
  options: Omit<PeriodicSnapshotOptions<T>, 'log'>,
): PeriodicSnapshot<T> {
  const snapshot = new PeriodicSnapshot({ ...options, log: app.log })
  app.addHook('onReady', () => snapshot.start())
  app.addHook('onClose', () => snapshot.stop())
  return snapshot
}
