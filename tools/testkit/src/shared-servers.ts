import { createDatabase, createTopics, type TopicSpec } from '@kafka-ref/local-servers'
import { inject } from 'vitest'
import type {} from './provided-context.ts'
import { uniqueName } from './unique-name.ts'

/** Bootstrap servers of the shared test broker (started by global-setup.ts). */
export function testKafkaBrokers(): string {
  return inject('kafkaBrokers')
}

/** Admin URL of the shared test PostgreSQL server. Prefer createTestDatabase() for test data. */
export function testDatabaseAdminUrl(): string {
  return inject('databaseUrl')
}

/** Creates a database with a unique name on the shared server and returns its URL. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  // PostgreSQL folds unquoted names to lower case and limits them to 63 bytes; stay inside both.
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40)
  const name = uniqueName(safePrefix).replace(/-/g, '_')
  return createDatabase(inject('databaseUrl'), name)
}

/** Creates topics on the shared broker (or `brokers`) and waits for their partition leaders. */
export async function createTestTopics(
  topics: Array<TopicSpec | string>,
  brokers = testKafkaBrokers(),
): Promise<void> {
  await createTopics(
    brokers,
    topics.map((topic) => (typeof topic === 'string' ? { name: topic } : topic)),
  )
}
