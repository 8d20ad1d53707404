import net from 'node:net'
import { pino } from 'pino'
import { ProfileListener } from '../src/profiles/profile-listener.ts'

export interface TcpProxy {
  /** `host:port` to connect to instead of the target. */
  readonly address: string
  /** Connections accepted so far. */
  readonly accepted: number
  /**
   * The connections open now stop forwarding in both directions but stay open: what a peer sees
   * when a NAT or firewall silently drops the flow. Connections accepted later work normally.
   */
  silenceOpenConnections(): void
  close(): Promise<void>
}

/** A TCP forwarder to `target`, so a test can make a connection go silent without closing it. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  const silenced = new WeakSet<net.Socket>()
  let accepted = 0
  const server = net.createServer((client) => {
    accepted += 1
    const upstream = net.connect(target.port, target.host)
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from)
      from.on('data', (chunk) => {
        if (!silenced.has(client)) to.write(chunk)
      })
      from.on('error', () => to.destroy())
      from.on('close', () => {
        sockets.delete(from)
        to.destroy()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    address: `127.0.0.1:${port}`,
    get accepted() {
      return accepted
    },
    silenceOpenConnections() {
      for (const socket of sockets) silenced.add(socket)
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * A profile listener whose connection goes through a fresh proxy, with a fast heartbeat, so a
 * test can silence the connection and watch the listener notice it. Close both after the test.
 */
export async function listenerBehindProxy(
  databaseUrl: string,
): Promise<{ listener: ProfileListener; proxy: TcpProxy }> {
  const target = new URL(databaseUrl)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) })
  const viaProxy = new URL(databaseUrl)
  viaProxy.host = proxy.address
  const listener = new ProfileListener(viaProxy.toString(), pino({ level: 'silent' }), {
    heartbeatIntervalMs: 200,
    heartbeatTimeoutMs: 300,
  })
  return { listener, proxy }
}
