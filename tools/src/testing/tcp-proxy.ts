import net from 'node:net'

export interface TcpProxy {
  /** `host:port` to connect to instead of the target. */
  readonly address: string
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
  close(): Promise<void>
}

/** A TCP forwarder to `target`, so a test can make a connection go silent without closing it. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; silenced: boolean }>()
  let accepted = 0
  const server = net.createServer((client) => {
    accepted += 1
    const pair = { client, upstream: net.connect(target.port, target.host), silenced: false }
    pairs.add(pair)
    for (const [from, to] of [
      [pair.client, pair.upstream],
      [pair.upstream, pair.client],
    ] as const) {
      from.on('data', (chunk) => {
        if (!pair.silenced) to.write(chunk)
      })
      from.on('error', () => undefined)
      from.on('close', () => {
        if (pair.silenced) return
        pairs.delete(pair)
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
    get open() {
      return pairs.size
    },
    silenceOpenConnections() {
      for (const pair of pairs) pair.silenced = true
      return pairs.size
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

/** A proxy in front of the server of `url`, and `url` through it; closed with the harness. */
export async function proxiedUrl(url: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(url)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) })
  return { proxy, url: throughProxy(url, proxy) }
}
