import { sleep } from '@kafka-ref/local-servers'
import type { ServiceProcess } from '@kafka-ref/system'
import type { TestProducer } from '@kafka-ref/testkit/clients'
import { userRequest } from '@kafka-ref/testkit/clients'
import type { Poison } from './poison.ts'
import type { Random } from './random.ts'

export interface LoadFigures {
  /** Registrations answered 201. */
  registered: number
  /** Registrations that got no answer or an error (an instance restarting); they may or may not exist. */
  unanswered: number
  /** Poison messages the broker acknowledged. */
  poisoned: number
}

export interface SentPoison extends Poison {
  partition: number
  offset: number
}

/**
 * A steady stream of registrations, spread over the user-service instances (the next one when an
 * instance is down), plus a poison message now and then, until stopped. Every send is awaited
 * before stop() resolves, so what was acknowledged is known exactly.
 */
export class Load {
  readonly poisons: SentPoison[] = []
  readonly figures: LoadFigures = { registered: 0, unanswered: 0, poisoned: 0 }
  readonly #inFlight = new Set<Promise<void>>()
  #running = true
  #loop: Promise<void> | undefined

  constructor(
    private readonly options: {
      userServices: readonly ServiceProcess[]
      producer: TestProducer
      topic: string
      random: Random
      nextPoison: () => Poison
      registrationsPerSecond: number
      poisonEveryMs: number
    },
  ) {}

  start(): void {
    this.#loop = this.#run()
  }

  async stop(): Promise<LoadFigures> {
    this.#running = false
    await this.#loop
    await Promise.all(this.#inFlight)
    return this.figures
  }

  async #run(): Promise<void> {
    const { registrationsPerSecond, poisonEveryMs } = this.options
    const started = Date.now()
    let sent = 0
    let nextPoisonAt = started + poisonEveryMs / 2
    while (this.#running) {
      const due = started + (sent * 1000) / registrationsPerSecond
      await sleep(Math.max(0, due - Date.now()))
      this.#track(this.#register(sent++))
      if (Date.now() >= nextPoisonAt) {
        nextPoisonAt += poisonEveryMs
        this.#track(this.#poison())
      }
    }
  }

  #track(work: Promise<void>) {
    // A send that fails (the producer closed under it when the run itself failed) is a lost
    // registration or poison message, never a crash of the whole run.
    const settled = work.catch(() => {
      this.figures.unanswered += 1
    })
    this.#inFlight.add(settled)
    void settled.finally(() => this.#inFlight.delete(settled))
  }

  async #register(n: number): Promise<void> {
    const { userServices, random } = this.options
    const body = JSON.stringify({
      ...userRequest(`f${random.seed.toString(36)}`, n),
      ...(n % 2 === 0 ? { displayName: `Fault ${n}` } : {}),
    })
    const first = n % userServices.length
    // The other instance when this one is down: a client behind a load balancer would be retried.
    for (let i = 0; i < userServices.length; i++) {
      const service = userServices[(first + i) % userServices.length]!
      if (!service.running) continue
      try {
        const response = await fetch(`${service.url}/user/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        })
        await response.arrayBuffer()
        if (response.status === 201) {
          this.figures.registered += 1
          return
        }
        // 409 after a retry means the first attempt did create the user.
        if (response.status === 409) return
      } catch {
        // connection refused or reset: the instance went down mid-request; try the next one
      }
    }
    this.figures.unanswered += 1
  }

  async #poison(): Promise<void> {
    const poison = this.options.nextPoison()
    const key = `poison-${this.options.random.int(0, 1_000_000)}`
    const delivered = await this.options.producer.send(this.options.topic, { value: poison.value, key })
    this.poisons.push({ ...poison, ...delivered })
    this.figures.poisoned += 1
  }
}
