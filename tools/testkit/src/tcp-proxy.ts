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
  /** Connections open now (silenced ones included, until the proxy closes). */
  readonly open: number
  /**
   * The connections open now stop forwarding in both directions but stay open, a close from either
   * side included: what both peers see when a NAT or firewall silently drops the flow (a black
   * hole). Connections accepted later work normally. Returns how many were silenced.
   */
  silenceOpenConnections(): number
  /**
   * Every connection, open now or accepted later, is silenced likewise: a server that accepts
   * connections and never answers (a broker in a brown-out).
   */
  silence(): void
  close(): Promise<void>
}

interface Pair {
  client: net.Socket
  upstream: net.Socket
  silenced: boolean
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
  const pairs = new Set<Pair>()
  let silent = false
  let accepted = 0
  const server = net.createServer((client) => {
    accepted += 1
    const pair: Pair = { client, upstream: net.connect(target.port, target.host), silenced: silent }
    pairs.add(pair)
    const filters = options.filters?.() ?? {}
    for (const [from, to, filter] of [
      [pair.client, pair.upstream, filters.toTarget],
      [pair.upstream, pair.client, filters.toClient],
    ] as const) {
      from.on('data', (chunk: Buffer) => {
        if (pair.silenced) return
        const passed = filter ? filter(chunk) : chunk
        if (passed.length > 0) to.write(passed)
      })
      from.on('error', () => undefined)
      // A silenced flow does not pass a close on either: the other peer keeps waiting.
      from.on('close', () => {
        if (pair.silenced) return
        pairs.delete(pair)
        to.destroy()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const silenceAll = () => {
    for (const pair of pairs) pair.silenced = true
    return pairs.size
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted
    },
    get open() {
      return pairs.size
    },
    silenceOpenConnections: silenceAll,
    silence() {
      silent = true
      silenceAll()
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy()
        upstream.destroy()
      }
      pairs.clear()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** `url` (a `postgres://` URL, say) with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const via = new URL(url)
  via.host = proxy.address
  return via.toString()
}

/** A proxy in front of the server of `url`, and `url` through it. Close the proxy after the test. */
export async function proxiedUrl(url: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(url)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) })
  return { proxy, url: throughProxy(url, proxy) }
}
