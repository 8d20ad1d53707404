import { describeServer, startPostgres, ToolError } from '@kafka-ref/local-servers'
import { chooseTestServer, type TestServer } from './test-server.ts'

const POSTGRES_IMAGE = 'postgres:18-alpine'

async function versionOf(url: string): Promise<string> {
  return (await describeServer(url)).version
}

export function startTestPostgres(useDocker: boolean): Promise<TestServer> {
  return chooseTestServer(
    {
      name: 'PostgreSQL',
      variable: 'DATABASE_URL',
      local: 'server',
      async given(address) {
        const version = await versionOf(address).catch((error: Error) => {
          // The URL may hold a password: name the host only.
          const where = URL.canParse(address) ? new URL(address).host : 'the given server'
          throw new ToolError(`DATABASE_URL (${where}) does not answer: ${error.message}`)
        })
        return { address, description: `PostgreSQL ${version} from DATABASE_URL`, stop: async () => {} }
      },
      async container() {
        const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
        const container = await new PostgreSqlContainer(POSTGRES_IMAGE).start()
        const address = container.getConnectionUri()
        const id = container.getId().slice(0, 12)
        return {
          address,
          description: `PostgreSQL ${await versionOf(address)} (${POSTGRES_IMAGE} container ${id})`,
          stop: async () => {
            await container.stop()
          },
        }
      },
      async startLocal() {
        const postgres = await startPostgres()
        return {
          address: postgres.url,
          description: `PostgreSQL ${postgres.version} (postgres pid ${postgres.pid})`,
          stop: () => postgres.stop(),
        }
      },
    },
    useDocker,
  )
}
