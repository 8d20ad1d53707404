import net from 'node:net'

/** Bytes on their way through the proxy, in one direction; returns what goes on (may be empty). */
export type ChunkFilter = (chunk: Buffer) => Buffer

/** One connection's filters, made when it is accepted (so each can keep its own state). */
export interface ConnectionFilters {
  toTarget?: ChunkFilter
  toClient?: ChunkFilter
}

export interface TcpProxyOptions {
  /** Default: bytes pass unchanged. */
  filters?: () => ConnectionFilters
}

export interface TcpProxy {
  /** `host:port` to connect to instead of the target. */
  readonly address: string
  readonly port: number
  /** Connections accepted so far. */
  readonly accepted: number
  /**
   * The connections open now stop forwarding in both directions but stay open: what a peer sees
   * when a NAT or firewall silently drops the flow. Connections accepted later work normally.
   */
  silenceOpenConnections(): void
  /**
   * Every connection, open now or accepted later, stops forwarding in both directions and stays
   * open: a server that accepts connections and never answers (a broker in a brown-out).
   */
  silence(): void
  close(): Promise<void>
}

/**
 * A TCP forwarder to `target`, so a test can make a connection go silent without closing it, or
 * (with `filters`) see and change what passes. Written by hand: a few lines of `node:net`, and
 * the tests need exactly these failure modes, which no proxy package offers as an API.
 */
export async function startTcpProxy(
  target: { host: string; port: number },
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  const silenced = new WeakSet<net.Socket>()
  let silent = false
  let accepted = 0
  const server = net.createServer((client) => {
    accepted += 1
    if (silent) silenced.add(client)
    const upstream = net.connect(target.port, target.host)
    const filters = options.filters?.() ?? {}
    for (const [from, to, filter] of [
      [client, upstream, filters.toTarget],
      [upstream, client, filters.toClient],
    ] as const) {
      sockets.add(from)
      from.on('data', (chunk: Buffer) => {
        if (silenced.has(client)) return
        const passed = filter ? filter(chunk) : chunk
        if (passed.length > 0) to.write(passed)
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
    port,
    get accepted() {
      return accepted
    },
    silenceOpenConnections() {
      for (const socket of sockets) silenced.add(socket)
    },
    silence() {
      silent = true
      for (const socket of sockets) silenced.add(socket)
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
