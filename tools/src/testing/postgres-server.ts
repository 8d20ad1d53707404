import { describeServer } from '../postgres/create-database.ts'
import { startPostgres } from '../postgres/server.ts'
import { isToolError, ToolError } from '../util/tool-error.ts'
import type { TestServer } from './kafka-server.ts'

const POSTGRES_IMAGE = 'postgres:18-alpine'

async function versionOf(url: string): Promise<string> {
  return (await describeServer(url)).version
}

export async function startTestPostgres(useDocker: boolean): Promise<TestServer> {
  const fromEnv = process.env.DATABASE_URL
  if (fromEnv) {
    const version = await versionOf(fromEnv).catch((error: Error) => {
      // The URL may hold a password: name the host only.
      const where = URL.canParse(fromEnv) ? new URL(fromEnv).host : 'the given server'
      throw new ToolError(`DATABASE_URL (${where}) does not answer: ${error.message}`)
    })
    return {
      address: fromEnv,
      description: `PostgreSQL ${version} from DATABASE_URL`,
      stop: async () => {},
    }
  }

  if (useDocker) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
    const container = await new PostgreSqlContainer(POSTGRES_IMAGE).start()
    const address = container.getConnectionUri()
    return {
      address,
      description: `PostgreSQL ${await versionOf(address)} (${POSTGRES_IMAGE} container ${container.getId().slice(0, 12)})`,
      stop: async () => {
        await container.stop()
      },
    }
  }

  try {
    const postgres = await startPostgres()
    return {
      address: postgres.url,
      description: `PostgreSQL ${postgres.version} (postgres pid ${postgres.pid})`,
      stop: () => postgres.stop(),
    }
  } catch (error) {
    const reason = isToolError(error) ? error.message : String(error)
    throw new ToolError(
      `No PostgreSQL for the integration tests: DATABASE_URL is not set, no Docker engine answered, and the local server failed: ${reason}`,
    )
  }
}
