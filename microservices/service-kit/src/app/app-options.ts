import type { DestinationStream, LevelWithSilent } from 'pino'
import type { HttpTimeouts } from '../config/connection-env.ts'
import type { PressureOptions } from '../pressure/pressure-plugin.ts'
import type { Tracing } from '../telemetry/tracing.ts'
import type { BaseAppOptions } from './create-base-app.ts'

/** What a service's `buildApp(config, options)` takes besides its configuration. */
export interface BuildOptions {
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: DestinationStream
  /** The process's tracing (the entry point starts it from the configuration); off if omitted. */
  tracing?: Tracing
}

/** The part of a service's parsed configuration (see `commonConfig`) the base app is built from. */
export interface BaseAppConfig {
  logLevel: LevelWithSilent
  corsOrigins: readonly string[]
  trustProxy: false | readonly string[]
  rateLimit: { ipv6PrefixLength: number }
  metrics: { port: number }
  pressure: PressureOptions
  httpTimeouts: HttpTimeouts
}

/** The base app's options that come from the common configuration, the same for every service. */
export function baseAppOptions(
  config: BaseAppConfig,
  options: BuildOptions,
): Omit<BaseAppOptions, 'name' | 'version' | 'description'> {
  return {
    logger: { level: config.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
    corsOrigins: config.corsOrigins,
    trustProxy: config.trustProxy,
    rateLimit: config.rateLimit,
    metrics: { port: config.metrics.port },
    pressure: config.pressure,
    tracing: options.tracing,
    timeouts: config.httpTimeouts,
  }
}
