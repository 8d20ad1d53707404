import { describeServer } from '../postgres/create-database.ts'
import { startPostgres } from '../postgres/server.ts'
import { ToolError } from '../util/tool-error.ts'
import type { TestServer } from './kafka-server.ts'

const POSTGRES_IMAGE = 'postgres:18-alpine'

async function versionOf(url: string): Promise<string> {
  return (await describeServer(url)).version
}

export async function startTestPostgres(useDocker: boolean): Promise<TestServer> {
  const fromEnv = process.env.DATABASE_URL
  if (fromEnv) {
    return {
      address: fromEnv,
      description: `PostgreSQL ${await versionOf(fromEnv)} from DATABASE_URL`,
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
    if (error instanceof ToolError) {
      throw new ToolError(
        `No PostgreSQL for the integration tests: DATABASE_URL is not set, no Docker engine answered, and the embedded server failed: ${error.message}`,
      )
    }
    throw error
  }
}
