import { register } from 'node:module'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'

export interface TracingConfig {
  /** OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`); tracing is off without it. */
  endpoint?: string | undefined
  protocol?: 'http/protobuf' | 'http/json'
  /** `service.name` of every span. */
  serviceName: string
}

export interface TracingOptions extends TracingConfig {
  /** Instead of OTLP (tests: an in-memory exporter); each span is exported as it ends. */
  exporter?: SpanExporter
}

/** The process's tracing: one tracer provider, shared by every app the process builds. */
export interface Tracing {
  readonly enabled: boolean
  /** @fastify/otel: a server span per request, registered first by `createBaseApp`. */
  readonly fastifyPlugin: FastifyPluginCallback | undefined
  /** Exports the spans still buffered (an app's onClose calls it, so a shutdown loses none). */
  flush(): Promise<void>
}

/** Tracing off: nothing of OpenTelemetry's SDK is loaded and no hook is installed anywhere. */
export const TRACING_OFF: Tracing = Object.freeze({
  enabled: false,
  fastifyPlugin: undefined,
  flush: async () => undefined,
})

/** Requests whose spans would only be noise: probes and scrapes every few seconds. */
const UNTRACED_PATHS = /^\/(health\/|metrics(\?|$)|docs|openapi\.json)/

let started: Promise<Tracing> | undefined

/**
 * Starts OpenTelemetry tracing when an endpoint (or, in tests, an exporter) is given; otherwise
 * returns {@link TRACING_OFF} having loaded nothing. Must run before `pg` is first imported: in ESM
 * its instrumentation needs the module hook registered here (the entry points import the app after
 * it). Idempotent: a process has one tracer provider, so a second call returns the first's.
 */
export function startTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.endpoint && !options.exporter) return Promise.resolve(TRACING_OFF)
  started ??= start(options)
  return started
}

async function start(options: TracingOptions): Promise<Tracing> {
  // Only pg is wrapped: import-in-the-middle left to itself would wrap every module the app loads.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['pg', /\/node_modules\/pg\/esm\//] },
  })
  const [
    { NodeTracerProvider },
    { BatchSpanProcessor, SimpleSpanProcessor },
    { resourceFromAttributes },
    { ATTR_SERVICE_NAME },
    { registerInstrumentations },
    { PgInstrumentation },
    { FastifyOtelInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-pg'),
    import('@fastify/otel'),
  ])
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(await otlpExporter(options))
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [processor],
  })
  // The global provider, AsyncLocalStorage context and W3C trace-context propagation.
  provider.register()
  registerInstrumentations({
    tracerProvider: provider,
    // Only queries inside a traced operation: the relay's polls and the listener's heartbeats
    // would otherwise each start a trace of their own.
    instrumentations: [new PgInstrumentation({ requireParentSpan: true })],
  })
  const fastifyOtel = new FastifyOtelInstrumentation({
    ignorePaths: ({ url }: { url: string }) => UNTRACED_PATHS.test(url),
    // One span per request and one for its handler; a span per hook would mostly be noise.
    instrumentHooks: false,
    requestHook: (span, request: FastifyRequest) => {
      // OpenTelemetry's HTTP server span name: method and route template.
      span.updateName(`${request.method} ${request.routeOptions.url ?? ''}`.trim())
    },
  })
  fastifyOtel.setTracerProvider(provider)
  return {
    enabled: true,
    fastifyPlugin: fastifyOtel.plugin(),
    flush: () => provider.forceFlush(),
  }
}

async function otlpExporter({ endpoint, protocol }: TracingOptions): Promise<SpanExporter> {
  // The exporters read OTEL_EXPORTER_OTLP_ENDPOINT (and headers, timeout) themselves, as the
  // specification wants; the URL is passed too, so the parsed configuration is what counts.
  const url = `${endpoint!.replace(/\/$/, '')}/v1/traces`
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http')
    return new OTLPTraceExporter({ url })
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto')
  return new OTLPTraceExporter({ url })
}
