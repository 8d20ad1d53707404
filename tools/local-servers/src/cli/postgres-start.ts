import { join } from 'node:path'
import { startPostgres } from '../postgres/server.ts'
import { repoRoot } from '../util/repo-root.ts'
import { portOption, runCli, seconds, stopOnSignal } from './run-cli.ts'

// Usage: pnpm postgres:start [--port 5432]   (or POSTGRES_PORT=5432). Data stays in <repo>/.data/postgres.
runCli(async () => {
  const started = Date.now()
  const port = portOption('POSTGRES_PORT', 5432)
  const postgres = await startPostgres({
    dataDir: join(repoRoot(), '.data', 'postgres'),
    port,
    persistent: true,
  })
  console.log(`PostgreSQL ${postgres.version} ready (pid ${postgres.pid}, started in ${seconds(started)})`)
  console.log(`DATABASE_URL=${postgres.url}`)
  console.log('Ctrl-C to stop')
  stopOnSignal(() => postgres.stop())
})
