import type { FastifyInstance } from 'fastify'
import { startTracing, type Tracing, type TracingConfig } from '../telemetry/tracing.ts'
import { main, runServer } from './run-server.ts'

/** What an entry point needs of a service's parsed configuration. */
export interface ServiceRunConfig {
  host: string
  port: number
  metrics: Readonly<{ port: number }>
  shutdownTimeoutMs: number
  shutdownDrainDelayMs: number
  tracing: Readonly<TracingConfig>
}

export interface ServiceEntry<C extends ServiceRunConfig> {
  name: string
  parseConfig: () => C
  /**
   * Imports the app module. Called only once tracing has started: with tracing on, pg must load
   * after the instrumentation's module hook, so the entry point must not import the app statically.
   */
  loadApp: () => Promise<{
    buildApp: (config: C, options: { tracing: Tracing }) => Promise<FastifyInstance>
  }>
}

/**
 * A service's whole entry point: parse the configuration, start tracing, import and build the app,
 * listen with a graceful shutdown. Any failure is one line on stderr and exit code 1 (`main`).
 */
export function runService<C extends ServiceRunConfig>(entry: ServiceEntry<C>): void {
  main(entry.name, async () => {
    const config = entry.parseConfig()
    const tracing = await startTracing({
      ...config.tracing,
      serviceName: config.tracing.serviceName || entry.name,
    })
    const { buildApp } = await entry.loadApp()
    const app = await buildApp(config, { tracing })
    await runServer({
      app,
      host: config.host,
      port: config.port,
      metricsPort: config.metrics.port,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      drainDelayMs: config.shutdownDrainDelayMs,
    })
  })
}
