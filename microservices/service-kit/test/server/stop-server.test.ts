import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { waitFor } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { registerHealth, stopServer, type ZodFastify } from '../../src/index.ts'
import { createTestBaseApp } from '../helpers.ts'

let app: ZodFastify | undefined
// Keep-alive, as a balancer's connections to an instance are.
let agent = new http.Agent({ keepAlive: true })
afterEach(async () => {
  agent.destroy()
  agent = new http.Agent({ keepAlive: true })
  await app?.close()
  app = undefined
})

/** A promise and the function that settles it. */
function gate() {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
}

/** GET through the keep-alive agent: status, body and whether the server closes the connection. */
function get(port: number, path: string) {
  return new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection }),
        )
      })
      .on('error', reject)
  })
}

/**
 * An app with health routes, a route that holds its answer until released and a plain one; `events`
 * records the shutdown's steps in the order they happen. With `closeHeldBy`, the close waits in a
 * preClose hook until it opens.
 */
async function drainingApp({ closeHeldBy }: { closeHeldBy?: Promise<void> } = {}) {
  const events: string[] = []
  const held = gate()
  const holding = gate()
  app = await createTestBaseApp()
  registerHealth(app, { checks: { database: async () => ({ ok: true }) }, intervalMs: 60_000 })
  app.get('/hold', async () => {
    holding.open()
    await held.opened
    return { held: true }
  })
  app.get('/ping', async () => ({ pong: true }))
  app.addHook('preClose', async () => {
    events.push('closing')
    await closeHeldBy
  })
  app.addHook('onClose', async () => {
    events.push('workers stopped')
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  app.server.on('close', () => events.push('listener closed'))
  const port = (app.server.address() as AddressInfo).port
  return { app, port, events, release: held.open, holding: holding.opened }
}

describe('stopServer', () => {
  it('answers 503 draining on readiness, then closes the listener once what was sent is answered', async () => {
    const { app, port, events, release, holding } = await drainingApp()
    expect((await get(port, '/health/ready')).status).toBe(200)
    // In flight through the whole drain and into the close.
    const inFlight = get(port, '/hold')
    await holding

    const drainDelayMs = 1_000
    const started = performance.now()
    const stopped = stopServer(app, { drainDelayMs }).then(() => events.push('stopped'))

    const ready = await get(port, '/health/ready')
    expect(ready.status).toBe(503)
    expect(JSON.parse(ready.body)).toEqual({ status: 'draining', checks: {} })
    // Still serving what a balancer sends before it notices, telling it not to reuse the connection.
    expect(await get(port, '/ping')).toEqual({ status: 200, body: '{"pong":true}', connection: 'close' })
    expect((await get(port, '/health/live')).status).toBe(200)
    expect(events).toEqual([])

    await waitFor(() => events.includes('closing'), { timeoutMs: 5_000, description: 'the close began' })
    // The drain lasted its delay before the close began.
    expect(performance.now() - started).toBeGreaterThanOrEqual(drainDelayMs - 20)
    // The listener waits for the request in flight.
    expect(events).toEqual(['closing'])
    release()
    // Answered, and its keep-alive connection closed after it, or the close would wait for it.
    expect(await inFlight).toEqual({ status: 200, body: '{"held":true}', connection: 'close' })
    await stopped
    expect(performance.now() - started).toBeLessThan(drainDelayMs + 5_000)
    expect(events).toEqual(['closing', 'listener closed', 'workers stopped', 'stopped'])
    await expect(get(port, '/ping')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('answers a request that still comes while closing, with Connection: close, instead of a 503', async () => {
    // The close waits in a preClose hook until the late request was answered.
    const late = gate()
    const { app, port, events, release, holding } = await drainingApp({ closeHeldBy: late.opened })
    const inFlight = get(port, '/hold')
    await holding
    const stopped = stopServer(app, { drainDelayMs: 0 })
    await waitFor(() => events.includes('closing'), { timeoutMs: 5_000, description: 'the close began' })
    const answer = await get(port, '/ping')
    late.open()
    release()
    await inFlight
    await stopped
    expect(answer).toEqual({ status: 200, body: '{"pong":true}', connection: 'close' })
  })
})
