import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { waitFor } from '@kafka-ref/testkit'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { clientDisconnectSignal } from '../../src/index.ts'
import { createTestBaseApp } from '../helpers.ts'

let app: FastifyInstance | undefined
afterEach(() => app?.close())

/** A POST route that holds its answer until released, recording whether its client left. */
async function holdingApp() {
  const seen: { started?: boolean; reason?: unknown; answered?: boolean } = {}
  let release = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  app = await createTestBaseApp()
  app.post('/hold', async (_request, reply) => {
    const signal = clientDisconnectSignal(reply, 'client gone')
    signal.addEventListener('abort', () => {
      seen.reason = signal.reason
    })
    seen.started = true
    await released
    seen.answered = !signal.aborted
    return { ok: true }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { port: (app.server.address() as AddressInfo).port, seen, release }
}

function post(port: number) {
  const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/hold', agent: false })
  request.setHeader('content-type', 'application/json')
  const answer = new Promise<number>((resolve, reject) => {
    request.on('error', reject)
    request.on('response', (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
  })
  request.end('{"a":1}')
  return { request, answer }
}

describe('clientDisconnectSignal', () => {
  it('aborts when the client disconnects before the answer, although the body was read', async () => {
    const { port, seen, release } = await holdingApp()
    const { request, answer } = post(port)
    answer.catch(() => {})
    await waitFor(() => seen.started, { description: 'the route runs' })
    expect(seen.reason).toBeUndefined()
    request.destroy()
    await waitFor(() => seen.reason !== undefined, { description: 'the route saw the disconnect' })
    expect(seen.reason).toBe('client gone')
    release()
  })

  it('does not abort for a client that stays until its answer', async () => {
    const { port, seen, release } = await holdingApp()
    const { answer } = post(port)
    await waitFor(() => seen.started, { description: 'the route runs' })
    release()
    expect(await answer).toBe(200)
    await app?.close() // the connection, and with it the response, is closed now
    app = undefined
    expect(seen).toEqual({ started: true, answered: true })
  })
})
