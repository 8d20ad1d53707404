import { type ConnectionFilters, startTcpProxy, type TcpProxy } from '../tcp-proxy.ts'

/** Kafka API keys the proxy's users refer to. */
export const KafkaApiKeys = { produce: 0, metadata: 3 } as const

/** What a response answers: the request's API, version and correlation id. */
export interface KafkaExchange {
  apiKey: number
  apiVersion: number
  correlationId: number
}

export interface KafkaProxyOptions {
  /** Whether the client gets this response; default all. Called once per response, in order. */
  forwardResponse?: (exchange: KafkaExchange) => boolean
}

export interface KafkaProxy extends TcpProxy {
  /** Requests seen so far, by API key. */
  requests(apiKey: number): number
  /** Responses withheld so far (forwardResponse said no), by API key. */
  dropped(apiKey: number): number
}

/**
 * A proxy in front of a single broker that understands just enough of the Kafka protocol to be
 * the client's only way to it: every request is a 4-byte length-prefixed frame whose header names
 * its API and correlation id, every response carries that correlation id, and Metadata responses
 * are rewritten to give the proxy's port as the broker's, so the client's later connections (to
 * the partition leaders) come through the proxy too. A test can then withhold chosen responses,
 * or silence the broker altogether (`silence()`), without touching the broker.
 */
export async function startKafkaProxy(broker: string, options: KafkaProxyOptions = {}): Promise<KafkaProxy> {
  const [host, port] = splitHostPort(broker)
  const requestCounts = new Map<number, number>()
  const droppedCounts = new Map<number, number>()
  const bump = (counts: Map<number, number>, apiKey: number) =>
    counts.set(apiKey, (counts.get(apiKey) ?? 0) + 1)
  let proxyPort = 0

  const filters = (): ConnectionFilters => {
    // Correlation ids are per connection: the requests this connection is waiting for.
    const pending = new Map<number, KafkaExchange>()
    const requests = new FrameReader()
    const responses = new FrameReader()
    return {
      toTarget(chunk) {
        for (const frame of requests.push(chunk)) {
          const exchange = {
            apiKey: frame.readInt16BE(4),
            apiVersion: frame.readInt16BE(6),
            correlationId: frame.readInt32BE(8),
          }
          pending.set(exchange.correlationId, exchange)
          bump(requestCounts, exchange.apiKey)
        }
        return chunk
      },
      toClient(chunk) {
        const passed: Buffer[] = []
        for (const frame of responses.push(chunk)) {
          const correlationId = frame.readInt32BE(4)
          const exchange = pending.get(correlationId)
          pending.delete(correlationId)
          if (!exchange) throw new Error(`kafka proxy: a response to unknown request ${correlationId}`)
          if (options.forwardResponse && !options.forwardResponse(exchange)) {
            bump(droppedCounts, exchange.apiKey)
            continue
          }
          if (exchange.apiKey === KafkaApiKeys.metadata) pointBrokersAt(frame, exchange.apiVersion, proxyPort)
          passed.push(frame)
        }
        return Buffer.concat(passed)
      },
    }
  }
  const proxy = await startTcpProxy({ host, port }, { filters })
  proxyPort = proxy.port
  return Object.assign(proxy, {
    requests: (apiKey: number) => requestCounts.get(apiKey) ?? 0,
    dropped: (apiKey: number) => droppedCounts.get(apiKey) ?? 0,
  })
}

function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(':')
  const port = Number(address.slice(at + 1))
  if (at <= 0 || !Number.isInteger(port)) throw new Error(`kafka proxy: not host:port: ${address}`)
  return [address.slice(0, at), port]
}

/** Cuts a byte stream into whole frames (each with its 4-byte length prefix). */
class FrameReader {
  #buffer: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const frames: Buffer[] = []
    while (this.#buffer.length >= 4) {
      const end = 4 + this.#buffer.readInt32BE(0)
      if (this.#buffer.length < end) break
      frames.push(this.#buffer.subarray(0, end))
      this.#buffer = this.#buffer.subarray(end)
    }
    return frames
  }
}

/**
 * Overwrites, in place, the port of every broker a Metadata response lists (the host stays: the
 * proxy listens where the broker does). Versions 9 and later are "flexible": compact lengths
 * (unsigned varints) and tagged fields, also in the response header.
 */
function pointBrokersAt(frame: Buffer, version: number, port: number): void {
  const flexible = version >= 9
  const reader = new Cursor(frame, 8) // after the length and the correlation id
  if (flexible) reader.skipTaggedFields()
  if (version >= 3) reader.skip(4) // throttle_time_ms
  const brokers = flexible ? reader.uvarint() - 1 : reader.int32()
  for (let i = 0; i < brokers; i++) {
    reader.skip(4) // node_id
    reader.skip(flexible ? reader.uvarint() - 1 : reader.int16()) // host
    frame.writeInt32BE(port, reader.offset)
    reader.skip(4)
    if (version >= 1) reader.skip(Math.max(0, flexible ? reader.uvarint() - 1 : reader.int16())) // rack
    if (flexible) reader.skipTaggedFields()
  }
}

class Cursor {
  constructor(
    private readonly buffer: Buffer,
    public offset: number,
  ) {}

  skip(bytes: number): void {
    this.offset += bytes
  }

  int16(): number {
    const value = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return value
  }

  int32(): number {
    const value = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return value
  }

  uvarint(): number {
    let value = 0
    for (let shift = 0; ; shift += 7) {
      const byte = this.buffer[this.offset++]!
      value |= (byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value
    }
  }

  skipTaggedFields(): void {
    for (let fields = this.uvarint(); fields > 0; fields--) {
      this.uvarint() // tag
      this.skip(this.uvarint())
    }
  }
}
