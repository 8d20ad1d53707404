import { sleep } from '@kafka-ref/local-servers'
import { PROFILE_MAX_WAIT_MS } from '@kafka-ref/shared-contracts/http'
import { userRequest } from '@kafka-ref/testkit/clients'

/** One request as the client saw it: its answer's status, or how its connection failed. */
export interface Outcome {
  kind: 'register' | 'profile'
  /** When it was sent (performance.now()). */
  at: number
  latencyMs: number
  status?: number
  error?: string
  /** Not an answer a client can take: a 5xx, a connection error or reset, an unexpected status. */
  failed: boolean
}

export interface LoadReport {
  requests: number
  registrations: number
  /** Registrations answered 201, by user id. */
  registered: string[]
  /** The longest a registered user waited for its profile (201 → profile served). */
  maxProfileDelayMs: number
}

const EXPECTED: Record<Outcome['kind'], readonly number[]> = {
  register: [201],
  // 404: the wait ended before the profile came (also when the instance stopped): ask again.
  profile: [200, 404],
}

/**
 * Clients doing what the page does, through the balancer's front ports: register, then wait for
 * the profile with waited reads until it is served; `clients` of them at once, each pausing
 * `pauseMs` between registrations. Every request's outcome is kept.
 */
export class SteadyLoad {
  readonly outcomes: Outcome[] = []
  readonly #registered: string[] = []
  #profileDelays: number[] = []
  #running = true
  #clients: Promise<void>[] = []

  constructor(
    private readonly options: {
      userUrl: string
      profileUrl: string
      clients: number
      pauseMs: number
      tag: string
    },
  ) {}

  start(): void {
    this.#clients = Array.from({ length: this.options.clients }, (_, client) => this.#client(client))
  }

  /** Stops sending; resolves once every client's last registration has its profile (or failed). */
  async stop(): Promise<LoadReport> {
    this.#running = false
    await Promise.all(this.#clients)
    return {
      requests: this.outcomes.length,
      registrations: this.outcomes.filter((o) => o.kind === 'register').length,
      registered: [...this.#registered],
      maxProfileDelayMs: Math.max(0, ...this.#profileDelays),
    }
  }

  /** The requests in flight at some point between `from` and `to` (performance.now()); all of them once stopped. */
  outcomesDuring(from: number, to: number): Outcome[] {
    return this.outcomes.filter((o) => o.at <= to && o.at + o.latencyMs >= from)
  }

  async #client(client: number): Promise<void> {
    const { userUrl, profileUrl, pauseMs, tag } = this.options
    for (let n = 0; this.#running; n++) {
      const registration = await this.#send('register', `${userUrl}/user/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(userRequest(`${tag}${client}`, n)),
      })
      const id = (registration.body as { id?: string } | undefined)?.id
      if (registration.status === 201 && id) {
        this.#registered.push(id)
        const registeredAt = performance.now()
        // Like the page: waited reads until the profile is served (a failed one is asked again).
        for (let attempt = 0; attempt < 10; attempt++) {
          const read = await this.#send(
            'profile',
            `${profileUrl}/profile/${id}?waitMs=${PROFILE_MAX_WAIT_MS}`,
          )
          if (read.status === 200) {
            this.#profileDelays.push(performance.now() - registeredAt)
            break
          }
        }
      }
      await sleep(pauseMs)
    }
  }

  async #send(kind: Outcome['kind'], url: string, init: RequestInit = {}) {
    const at = performance.now()
    const outcome: Outcome = { kind, at, latencyMs: 0, failed: true }
    let body: unknown
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
      outcome.status = response.status
      body = await response.json().catch(() => undefined)
    } catch (error) {
      const cause = (error as Error).cause as { code?: string } | undefined
      outcome.error = cause?.code ?? (error as Error).name
    }
    outcome.latencyMs = performance.now() - at
    outcome.failed = outcome.status === undefined || !EXPECTED[kind].includes(outcome.status)
    this.outcomes.push(outcome)
    return { status: outcome.status, body }
  }
}
