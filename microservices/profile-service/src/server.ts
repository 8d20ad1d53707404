import { main, runServer } from '@kafka-ref/service-kit'
import { buildApp, SERVICE_NAME } from './app.ts'
import { parseConfig } from './config.ts'

main(SERVICE_NAME, async () => {
  const config = parseConfig()
  const app = await buildApp(config)
  await runServer({ app, host: config.host, port: config.port, shutdownTimeoutMs: config.shutdownTimeoutMs })
})
