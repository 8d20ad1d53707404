import type rdkafka from 'node-rdkafka'
import { uniqueName } from '../unique-name.ts'

/** The broker's default record limit (message.max.bytes 1048588): a test may send and read up to that. */
export const LARGEST_RECORD = 1_048_588

/** What every test consumer starts from: no auto-commit, short fetch waits, a fresh group by default. */
export function consumerConfig(brokers: string, groupId = uniqueName('test-consumer')) {
  return {
    'bootstrap.servers': brokers,
    'group.id': groupId,
    'enable.auto.commit': false,
    // The tests poll actively; short fetch waits keep each consume(n) call snappy.
    'fetch.wait.max.ms': 50,
    'fetch.message.max.bytes': LARGEST_RECORD,
  } satisfies rdkafka.ConsumerGlobalConfig
}

export function connect<T extends rdkafka.Client<string>>(client: T, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) =>
    client.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve(client))),
  )
}

export function disconnect(client: rdkafka.Client<string>): Promise<void> {
  return new Promise((resolve) => {
    if (!client.isConnected()) return resolve()
    client.disconnect(() => resolve())
  })
}
