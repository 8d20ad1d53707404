import { isToolError, ToolError } from '@kafka-ref/local-servers'

export interface TestServer {
  /** Address clients use: bootstrap servers for Kafka, admin URL for PostgreSQL. */
  address: string
  /** One line for the test log: what runs, which version, which pid. */
  description: string
  stop(): Promise<void>
}

/** The three places a test server can come from, for one kind of server. */
export interface TestServerSources {
  /** How messages name it: `Kafka`, `PostgreSQL`. */
  name: string
  /** The environment variable that gives one, e.g. `KAFKA_BROKERS`. */
  variable: string
  /** What messages call the local one: `broker`, `server`. */
  local: string
  /** Checks that the given one answers (a ToolError saying why not). */
  given(address: string): Promise<TestServer>
  container(): Promise<TestServer>
  startLocal(): Promise<TestServer>
}

/**
 * The one the environment names, else a container where a Docker engine answers, else a local
 * one; a local start that fails becomes one line naming all three.
 */
export async function chooseTestServer(sources: TestServerSources, useDocker: boolean): Promise<TestServer> {
  const given = process.env[sources.variable]
  if (given) return sources.given(given)
  if (useDocker) return sources.container()
  try {
    return await sources.startLocal()
  } catch (error) {
    const reason = isToolError(error) ? error.message : String(error)
    throw new ToolError(
      `No ${sources.name} for the integration tests: ${sources.variable} is not set, no Docker engine answered, and the local ${sources.local} failed: ${reason}`,
    )
  }
}
