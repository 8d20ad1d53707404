import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConsumerGroups, namespaced } from '@kafka-ref/shared-contracts'
import {
  createWorld,
  getProfile,
  register,
  startService,
  useHarness,
  userRequest,
  waitFor,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

/** A span as an OTLP/HTTP JSON export carries it, with its service and its attributes flattened. */
interface ReceivedSpan {
  service: string
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  /** OTLP's SpanKind: 2 server, 4 producer, 5 consumer. */
  kind: number
  attributes: Record<string, string | number | boolean>
}

type OtlpValue = {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
}
type OtlpAttribute = { key: string; value: OtlpValue }
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] }
    scopeSpans: Array<{
      spans: Array<Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: OtlpAttribute[] }>
    }>
  }>
}

const flatten = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(
    attributes.map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue === undefined ? undefined : Number(value.intValue)) ??
        value.boolValue ??
        value.doubleValue ??
        '',
    ]),
  ) as Record<string, string | number | boolean>

/** The statement of a database span (current and older semantic conventions), else nothing. */
const sqlOf = (span: ReceivedSpan) =>
  String(span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? '')

/** The collector both services export to: an OTLP/HTTP JSON endpoint that keeps every span. */
async function startCollector() {
  const spans: ReceivedSpan[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport
        for (const { resource, scopeSpans } of body.resourceSpans) {
          const service = String(flatten(resource.attributes)['service.name'])
          for (const scope of scopeSpans)
            for (const span of scope.spans)
              spans.push({ ...span, service, attributes: flatten(span.attributes) })
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe('tracing', () => {
  const harness = useHarness()

  it('follows one registration in one trace, from POST /user/register through Kafka to the stored profile', async () => {
    const collector = harness.track(await startCollector())
    const world = await createWorld()
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // A standard SDK variable: export every 100 ms rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    }
    const [userService, profileService] = await Promise.all([
      startService(harness, world, 'user-service', { env }),
      startService(harness, world, 'profile-service', { env }),
    ])

    const registered = await register(userService.url, userRequest('traced', 0))
    expect(registered.status).toBe(201)
    const userId = registered.body.id
    expect((await getProfile(profileService.url, userId, 10_000)).status).toBe(200)

    const consumed = await waitFor(
      () =>
        collector.spans.find(
          (span) =>
            span.name === 'process user_register' &&
            span.attributes['messaging.kafka.message.key'] === userId,
        ),
      { timeoutMs: 20_000, description: 'the consumer span exported' },
    )
    const trace = consumed.traceId
    const inTrace = () => collector.spans.filter((span) => span.traceId === trace)
    // The profile's transaction is exported a moment after the consumer span (same batch or next).
    await waitFor(
      () =>
        inTrace().some((span) => span.service === 'profile-service' && span.parentSpanId === consumed.spanId),
      { timeoutMs: 10_000, description: "the consumer's database spans exported" },
    )
    const spans = inTrace()
    const only = (predicate: (span: ReceivedSpan) => boolean, what: string) => {
      const found = spans.filter(predicate)
      expect(found, what).toHaveLength(1)
      return found[0]!
    }

    const server = only((span) => span.name === 'POST /user/register', 'one server span')
    expect(server).toMatchObject({ service: 'user-service', kind: 2 })
    // The trace starts with it: no parent (an empty or absent id in OTLP's JSON).
    expect(server.parentSpanId || undefined).toBeUndefined()
    expect(server.attributes).toMatchObject({
      'http.route': '/user/register',
      'http.response.status_code': 201,
    })
    // The user and outbox inserts, in the request's trace (children of its handler span).
    console.log(
      `[tracing] ${spans.length} spans in the trace:\n${spans
        .map((span) => `  ${span.service} ${span.name} ${sqlOf(span)}`.trimEnd())
        .join('\n')}`,
    )
    const userQueries = spans.filter((span) => span.service === 'user-service')
    expect(userQueries.map(sqlOf).join('\n')).toMatch(/insert into "outbox"/i)

    const send = only((span) => span.name === 'send user_register', 'one producer span')
    expect(send).toMatchObject({ service: 'user-service', kind: 4 })
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': world.topic,
      'messaging.kafka.message.key': userId,
    })

    // The consumer's span continues the producer's: its parent is the send span.
    expect(consumed).toMatchObject({ service: 'profile-service', kind: 5, parentSpanId: send.spanId })
    expect(consumed.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': world.topic,
      'messaging.consumer.group.name': namespaced(ConsumerGroups.profileService, world.namespace),
      'messaging.kafka.message.key': userId,
    })
    expect(consumed.attributes['messaging.destination.partition.id']).toMatch(/^[0-2]$/)
    expect(consumed.attributes['messaging.kafka.offset']).toBeGreaterThanOrEqual(0)
    const stored = spans.filter(
      (span) => span.service === 'profile-service' && span.parentSpanId === consumed.spanId,
    )
    // The consumer's one statement per partition chunk, which writes the profile.
    expect(stored.map(sqlOf).join('\n')).toMatch(/insert into "?profiles"? \(user_id/i)
    // Probes and scrapes are not traced.
    expect(collector.spans.some((span) => span.name.includes('/health'))).toBe(false)
  })
})
