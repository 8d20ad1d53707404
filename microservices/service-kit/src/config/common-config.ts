import type { z } from 'zod'
import type { commonEnv } from './env-types.ts'
import type { DeepReadonly } from './load-config.ts'

type CommonEnv = z.output<z.ZodObject<ReturnType<typeof commonEnv>>>

/** The camelCase config both services derive from `commonEnv` variables. */
export function commonConfig(raw: DeepReadonly<CommonEnv>) {
  return {
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    databaseUrl: raw.DATABASE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS,
    kafkaTopicNamespace: raw.KAFKA_TOPIC_NAMESPACE,
    corsOrigins: raw.CORS_ORIGINS,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainDelayMs: raw.SHUTDOWN_DRAIN_DELAY_MS,
    trustProxy: raw.TRUST_PROXY,
    metrics: { port: raw.METRICS_PORT },
    pressure: {
      maxEventLoopDelayMs: raw.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedRatio: raw.PRESSURE_MAX_HEAP_USED_RATIO,
      retryAfterSeconds: raw.PRESSURE_RETRY_AFTER_SECONDS,
    },
    tracing: {
      endpoint: raw.OTEL_EXPORTER_OTLP_ENDPOINT,
      protocol: raw.OTEL_EXPORTER_OTLP_PROTOCOL,
      serviceName: raw.OTEL_SERVICE_NAME,
    },
  }
}
