import { isToolError } from '@kafka-ref/local-servers'
import type { TestProject } from 'vitest/node'
import { dockerAvailable } from './docker.ts'
import { startTestKafka } from './kafka-server.ts'
import { startTestPostgres } from './postgres-server.ts'
import type {} from './provided-context.ts'
import type { TestServer } from './test-server.ts'

function hostPort(address: string): string {
  try {
    const url = new URL(address)
    return `${url.hostname}:${url.port}`
  } catch {
    return address
  }
}

/**
 * Starts one Kafka broker and one PostgreSQL server shared by all integration test files:
 * KAFKA_BROKERS / DATABASE_URL if set, else Docker containers if an engine answers, else the
 * local JVM broker and PostgreSQL server. Never skips: if a server cannot start, the reason is
 * printed as one line and handed to every integration test, which then fails with it
 * (integration-setup.ts); unit tests still run and the run fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: TestServer[] = []
  const teardown = async () => {
    await Promise.allSettled(started.map((server) => server.stop()))
  }
  try {
    const needsDocker = !process.env.KAFKA_BROKERS || !process.env.DATABASE_URL
    const useDocker = needsDocker && (await dockerAvailable())
    // One after the other: on two cores, a JVM and initdb starting together each take longer.
    const kafka = await startTestKafka(useDocker)
    started.push(kafka)
    const postgres = await startTestPostgres(useDocker)
    started.push(postgres)
    console.log(`[test-servers] ${kafka.description} at ${kafka.address}`)
    console.log(`[test-servers] ${postgres.description} at ${hostPort(postgres.address)}`)
    project.provide('kafkaBrokers', kafka.address)
    project.provide('databaseUrl', postgres.address)
  } catch (error) {
    await teardown()
    const message = isToolError(error) ? error.message : String((error as Error)?.stack ?? error)
    console.error(`[test-servers] ${message.split('\n')[0]}`)
    project.provide('testServersError', message)
  }
  return teardown
}
