import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { freePort } from '@kafka-ref/local-servers'
import { afterEach, describe, expect, it } from 'vitest'
import { Balancer } from '../src/balancer.ts'
import { markedDownWithinMs } from '../src/haproxy-config.ts'

/** A stand-in instance: readiness as told, every other request answered with its name (or dropped). */
class Instance {
  ready = true
  /** POSTs reach it and lose their connection before any answer, as when an instance is killed. */
  dropPosts = false
  readonly posts: string[] = []
  readonly #server: Server

  private constructor(readonly name: string) {
    this.#server = createServer((request, response) => {
      if (request.url === '/health/ready') {
        response.writeHead(this.ready ? 200 : 503).end()
        return
      }
      if (request.method === 'POST') {
        this.posts.push(request.url ?? '')
        if (this.dropPosts) {
          request.socket.destroy()
          return
        }
      }
      request.resume()
      request.on('end', () => response.end(this.name))
    })
  }

  static async start(name: string): Promise<Instance> {
    const instance = new Instance(name)
    await new Promise<void>((resolve) => instance.#server.listen(0, '127.0.0.1', resolve))
    return instance
  }

  get address(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** Stops listening (new connections are refused) and drops what is open. */
  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup()
})

async function balance(...instances: Instance[]) {
  for (const instance of instances) cleanups.push(() => instance.close())
  const front = `127.0.0.1:${await freePort()}`
  const balancer = await Balancer.start({
    services: [
      { name: 'svc', bind: front, servers: instances.map((i) => ({ name: i.name, address: i.address })) },
    ],
  })
  cleanups.push(() => balancer.stop())
  for (const instance of instances) await balancer.waitForServer('svc', instance.name, 'UP', 10_000)
  return { balancer, url: `http://${front}` }
}

async function send(url: string, method: 'GET' | 'POST') {
  const response = await fetch(url, { method, body: method === 'POST' ? '{}' : undefined })
  return { status: response.status, body: await response.text() }
}

describe('Balancer (HAProxy)', () => {
  it('takes an instance whose readiness fails out within the time the drain allows', async () => {
    const [a, b] = [await Instance.start('a'), await Instance.start('b')]
    const { balancer, url } = await balance(a, b)
    const answeredBy = new Set(
      (await Promise.all([1, 2, 3, 4].map(() => send(url, 'GET')))).map((r) => r.body),
    )
    expect(answeredBy).toEqual(new Set(['a', 'b']))

    a.ready = false
    const flipped = performance.now()
    await balancer.waitForServer('svc', 'a', 'DOWN', 10_000)
    // SHUTDOWN_DRAIN_DELAY_MS's default is twice this bound (service-kit's config test holds it).
    expect(performance.now() - flipped).toBeLessThan(2 * markedDownWithinMs())
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(url, 'GET')))
    expect(answers.map((r) => r.body)).toEqual(Array(10).fill('b'))
  })

  it('retries on another instance what was refused before it reached one', async () => {
    const [a, b] = [await Instance.start('a'), await Instance.start('b')]
    const { balancer, url } = await balance(a, b)
    // Still UP for the balancer until its checks fail: every request meanwhile that picks `a` is
    // refused and sent to `b`.
    await a.close()
    const answers = []
    for (let i = 0; i < 10; i++) answers.push(await send(url, i % 2 ? 'POST' : 'GET'))
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ status: 200, body: 'b' })))
    const states = await balancer.serverStates()
    expect(states.find((s) => s.server === 'a')?.redispatches).toBeGreaterThan(0)
  })

  it('does not send a POST again once it reached an instance, even one that then dropped it', async () => {
    const a = await Instance.start('a')
    const { url } = await balance(a)
    a.dropPosts = true
    expect((await send(`${url}/user/register`, 'POST')).status).toBe(502)
    expect(a.posts).toEqual(['/user/register'])
  })
})
