import { main, startTracing } from '@kafka-ref/service-kit/bootstrap'
import { parseConfig } from './config.ts'
import { SERVICE_NAME } from './service-name.ts'

main(SERVICE_NAME, async () => {
  const config = parseConfig()
  const tracing = await startTracing({
    ...config.tracing,
    serviceName: config.tracing.serviceName || SERVICE_NAME,
  })
  // Imported only now: with tracing on, pg must load after the instrumentation's module hook.
  const [{ buildApp }, { runServer }] = await Promise.all([
    import('./app.ts'),
    import('@kafka-ref/service-kit'),
  ])
  const app = await buildApp(config, { tracing })
  await runServer({ app, host: config.host, port: config.port, shutdownTimeoutMs: config.shutdownTimeoutMs })
})
