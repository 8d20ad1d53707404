import { join } from 'node:path'
import { startPostgres } from '../postgres/server.ts'
import { repoRoot } from '../util/repo-root.ts'
import { portOption, runCli, seconds, stopOnSignal } from './run-cli.ts'

const cli = {
  command: 'pnpm postgres:start',
  options: { port: { type: 'string' } },
  help: `A local PostgreSQL server in the foreground (Ctrl-C stops it); data stays in <repo>/.data/postgres.
Prints the superuser's URL; its password is random, kept in the data folder (kafka-ref-password, mode 0600).
  --port N   the server's port (default POSTGRES_PORT, else 5432)`,
} as const

runCli(cli, async (values) => {
  const started = Date.now()
  const port = portOption('POSTGRES_PORT', 5432, values.port)
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
