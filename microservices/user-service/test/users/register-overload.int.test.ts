import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { PROBLEM_CONTENT_TYPE, type RegisterUserRequest } from '@kafka-ref/shared-contracts'
import { LogCapture, waitFor } from '@kafka-ref/testkit'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, registration, startApp, type TestContext } from '../helpers.ts'

/**
 * Registrations over real sockets, each from its own loopback address (Linux routes all of
 * 127.0.0.0/8 to lo): a disconnect needs a real socket, and distinct addresses keep the per-IP
 * rate limit (here 1 per client) out of the way, as it would be for many real clients.
 */
interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

interface Call {
  body: RegisterUserRequest
  answer: Promise<Answer>
  /** Drops the connection, as a client that gave up does. */
  disconnect(): void
}

let context: TestContext
let app: ZodFastify | undefined
const calls: Call[] = []

beforeAll(async () => {
  context = await createTestContext()
})
afterEach(async () => {
  for (const call of calls.splice(0)) call.disconnect()
  await app?.close()
  app = undefined
})

async function listeningApp(env: Record<string, string>, logs: LogCapture) {
  app = await startApp({ ...context.env, REGISTER_RATE_LIMIT_MAX: '1', ...env }, logs)
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

function register(port: number, localAddress: string): Call {
  const body = registration()
  const request = http.request({
    host: '127.0.0.1',
    port,
    localAddress,
    agent: false,
    method: 'POST',
    path: '/user/register',
    headers: { 'content-type': 'application/json' },
  })
  const answer = new Promise<Answer>((resolve, reject) => {
    request.on('error', reject)
    request.on('response', (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        text += chunk
      })
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      )
    })
  })
  answer.catch(() => {}) // a disconnected call never answers; that is the point
  request.end(JSON.stringify(body))
  const call = { body, answer, disconnect: () => request.destroy() }
  calls.push(call)
  return call
}

/** The i-th distinct client address of a test, in its own /16 of the loopback range. */
const clientAddress = (net: number, i: number) => `127.${net}.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`

const incomingRequests = (logs: LogCapture) =>
  logs.lines.filter((line) => line.includes('"incoming request"')).length

async function storedUsers(emails: string[]) {
  if (!app || emails.length === 0) return 0
  const rows = await app.db.selectFrom('users').select('id').where('email', 'in', emails).execute()
  return rows.length
}

describe('POST /user/register under overload', () => {
  it('300 concurrent registrations: one more gets a 201 or a fast 503 problem with Retry-After', async () => {
    const logs = new LogCapture()
    // About 0.1 s per hash here, 2 at once; at most 8 wait.
    const port = await listeningApp(
      { PASSWORD_HASH_COST: '15', PASSWORD_HASH_CONCURRENCY: '2', PASSWORD_HASH_QUEUE_MAX: '8' },
      logs,
    )
    const burst = Array.from({ length: 300 }, (_, i) => register(port, clientAddress(1, i)))
    await waitFor(() => incomingRequests(logs) >= burst.length, {
      description: 'the server received the burst',
    })

    const startedAt = performance.now()
    const extraCall = register(port, clientAddress(1, burst.length))
    const extra = await extraCall.answer
    const elapsedMs = performance.now() - startedAt
    expect([201, 503]).toContain(extra.status)
    expect(elapsedMs).toBeLessThan(2000)

    const all = [...burst, extraCall]
    const answers = await Promise.all(all.map((call) => call.answer))
    expect(answers.filter((answer) => answer.status !== 201 && answer.status !== 503)).toEqual([])
    const busy = answers.filter((answer) => answer.status === 503)
    expect(busy.length).toBeGreaterThan(0)
    for (const answer of busy) {
      expect(answer.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE)
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0)
      expect(JSON.parse(answer.body)).toMatchObject({ status: 503, code: 'REGISTRATION_BUSY' })
    }
    const registered = all.filter((_, i) => answers[i]!.status === 201).map((call) => call.body.email)
    expect(await storedUsers(registered)).toBe(registered.length)
  })

  it('a client that disconnects while its registration waits is never hashed', async () => {
    const logs = new LogCapture()
    // One hash at a time, each long enough (~0.3 s) that the disconnects arrive while it runs.
    const port = await listeningApp({ PASSWORD_HASH_COST: '16', PASSWORD_HASH_CONCURRENCY: '1' }, logs)
    const waiting = Array.from({ length: 20 }, (_, i) => register(port, clientAddress(2, i)))

    // The first answer means one hash finished and the next one just started; everyone else is
    // queued behind it. Those clients give up now.
    const first = await Promise.race(waiting.map((call, i) => call.answer.then((answer) => ({ i, answer }))))
    expect(first.answer.status).toBe(201)
    const gaveUp = waiting.filter((_, i) => i !== first.i)
    for (const call of gaveUp) call.disconnect()

    // FIFO: when a later registration is answered, everything queued before it was run or dropped.
    const probe = await register(port, clientAddress(2, waiting.length)).answer
    expect(probe.status).toBe(201)
    // Only the hash already running when its client left may have been stored.
    expect(await storedUsers(gaveUp.map((call) => call.body.email))).toBeLessThanOrEqual(1)
  })
})
