import type { AddressInfo } from 'node:net'
import net from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestBaseApp } from '../helpers.ts'

let app: FastifyInstance | undefined
const sockets: net.Socket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await app?.close()
  app = undefined
})

/** Small bounds, so each test takes seconds; the check every second adds at most one second. */
const TIMEOUTS = { requestTimeoutMs: 1_000, connectionTimeoutMs: 3_000, keepAliveTimeoutMs: 2_000 }
/** What the machine may add (two cores shared by several test runs). */
const MARGIN_MS = 3_000

async function listening(timeouts = TIMEOUTS) {
  app = await createTestBaseApp({ timeouts })
  app.post('/echo', async (request) => ({ received: request.body }))
  app.get('/slow', async () => {
    // Longer than the request timeout: answering is not receiving.
    await new Promise((resolve) => setTimeout(resolve, timeouts.requestTimeoutMs * 2))
    return { ok: true }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

/** A raw connection, recording what the server sends and when it closes. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1')
  sockets.push(socket)
  let received = ''
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1')
  })
  socket.on('error', () => undefined)
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())))
  await new Promise((resolve) => socket.once('connect', resolve))
  return { socket, closed, received: () => received }
}

/** Resolves with the close time, or rejects when the socket is still open after `ms`. */
function closedWithin(closed: Promise<number>, ms: number): Promise<number> {
  return Promise.race([
    closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the socket was still open after ${ms} ms`)), ms),
    ),
  ])
}

describe('HTTP timeouts', { timeout: 20_000 }, () => {
  it('answers 408 and closes a request whose body trickles in slower than the request timeout', async () => {
    const port = await listening()
    const { socket, closed, received } = await connect(port)
    const started = performance.now()
    socket.write(
      'POST /echo HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n',
    )
    // One byte every 200 ms: the connection is never idle, so only the request timeout ends it.
    const trickle = setInterval(() => socket.write(' '), 200)
    try {
      const closedAt = await closedWithin(closed, TIMEOUTS.requestTimeoutMs + 1_000 + MARGIN_MS)
      expect(closedAt - started).toBeGreaterThanOrEqual(TIMEOUTS.requestTimeoutMs - 50)
    } finally {
      clearInterval(trickle)
    }
    expect(received()).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('closes a connection that sends nothing within the connection timeout', async () => {
    // The request timeout off, so only the idle connection's own bound is left to close it.
    const port = await listening({ ...TIMEOUTS, requestTimeoutMs: 0 })
    const { closed } = await connect(port)
    const started = performance.now()
    const closedAt = await closedWithin(closed, TIMEOUTS.connectionTimeoutMs + MARGIN_MS)
    expect(closedAt - started).toBeGreaterThanOrEqual(TIMEOUTS.connectionTimeoutMs - 50)
  })

  it('still serves a normal request, and an answer that takes longer than the request timeout', async () => {
    const port = await listening()
    const echo = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    })
    expect(echo.status).toBe(200)
    expect(await echo.json()).toEqual({ received: { name: 'x' } })
    const slow = await fetch(`http://127.0.0.1:${port}/slow`)
    expect(slow.status).toBe(200)
    expect(await slow.json()).toEqual({ ok: true })
  })

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const port = await listening()
    const { socket, closed, received } = await connect(port)
    socket.write('GET /slow HTTP/1.1\r\nhost: test\r\n\r\n')
    const answered = performance.now()
    const closedAt = await closedWithin(
      closed,
      TIMEOUTS.requestTimeoutMs * 2 + TIMEOUTS.keepAliveTimeoutMs + MARGIN_MS,
    )
    expect(received()).toMatch(/^HTTP\/1\.1 200 /)
    expect(closedAt - answered).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveTimeoutMs)
  })
})
