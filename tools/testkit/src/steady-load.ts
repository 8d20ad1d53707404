import { randomBytes } from 'node:crypto'
import { sleep } from '@kafka-ref/local-servers'
import { register, userRequests } from './http.ts'

/** One registration the load sent: when, and what came back. */
export interface SentRegistration {
  /** `Date.now()` when the request was sent. */
  sentAt: number
  /** HTTP status; 0 when no answer came (connection refused or reset, timeout). */
  status: number
  /** The new user's id, from a 201's body. */
  userId?: string
}

/**
 * Registrations at a steady rate, each sent on time without waiting for earlier answers, until
 * stopped: what a test breaks something under (a broker killed, a rolling restart). Unlike
 * `registerPaced`, the count is not known up front. stop() waits for every answer, so what was
 * acknowledged is known exactly.
 */
export class SteadyRegistrations {
  readonly sent: SentRegistration[] = []
  readonly #inFlight = new Set<Promise<void>>()
  readonly #tag = randomBytes(4).toString('hex')
  #running = true
  readonly #loop: Promise<void>

  constructor(
    private readonly userServiceUrl: string,
    private readonly perSecond: number,
  ) {
    this.#loop = this.#run()
  }

  /** Registrations answered 201 so far. */
  get registered(): number {
    return this.sent.filter((registration) => registration.status === 201).length
  }

  async stop(): Promise<SentRegistration[]> {
    this.#running = false
    await this.#loop
    await Promise.all(this.#inFlight)
    return this.sent
  }

  async #run(): Promise<void> {
    const started = Date.now()
    for (let index = 0; this.#running; index++) {
      await sleep(Math.max(0, started + (index * 1000) / this.perSecond - Date.now()))
      if (!this.#running) return
      const record: SentRegistration = { sentAt: Date.now(), status: 0 }
      this.sent.push(record)
      const [request] = userRequests(1, `${this.#tag}_${index}`)
      const answered = register(this.userServiceUrl, request!).then(
        (result) => {
          record.status = result.status
          record.userId = result.body?.id
        },
        () => undefined,
      )
      this.#inFlight.add(answered)
      void answered.finally(() => this.#inFlight.delete(answered))
    }
  }
}
