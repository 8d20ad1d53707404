import { setTimeout as sleep } from 'node:timers/promises'
import { Admin } from '@platformatic/kafka'

export interface TopicVisibilityOptions {
  timeoutMs?: number
  intervalMs?: number
}

/**
 * Waits until every broker of the cluster lists each of `names` with a leader for every partition.
 * CreateTopics answers once the controller has the topics, before every broker's metadata has
 * them (Kafka's own tooling treats creation as asynchronous): a client that asks a broker which
 * lags behind is told the topic does not exist. Each broker is asked on its own, through an admin
 * client bootstrapped from it alone (a client asks its first bootstrap broker first).
 */
export async function waitUntilEveryBrokerLists(
  admin: Admin,
  names: readonly string[],
  { timeoutMs = 30_000, intervalMs = 100 }: TopicVisibilityOptions = {},
): Promise<void> {
  const { brokers } = await admin.metadata({ topics: [], forceUpdate: true })
  const deadline = Date.now() + timeoutMs
  for (const [nodeId, { host, port }] of brokers) {
    const one = new Admin({ clientId: 'topic-visibility', bootstrapBrokers: [`${host}:${port}`], retries: 0 })
    try {
      for (;;) {
        const missing = await topicsNotListed(one, names)
        if (missing.length === 0) break
        if (Date.now() > deadline) {
          throw new Error(`broker ${nodeId} does not list ${missing.join(', ')} after ${timeoutMs} ms`)
        }
        await sleep(intervalMs)
      }
    } finally {
      await one.close()
    }
  }
}

/** The topics of `names` the admin's broker does not list, or lists with a partition without a leader. */
async function topicsNotListed(admin: Admin, names: readonly string[]): Promise<string[]> {
  // A topic this broker does not know yet fails the whole request ("Unknown topic").
  const metadata = await admin.metadata({ topics: [...names], forceUpdate: true }).catch(() => undefined)
  if (!metadata) return [...names]
  return names.filter((name) => {
    const partitions = metadata.topics.get(name)?.partitions ?? []
    return partitions.length === 0 || partitions.some((partition) => partition.leader < 0)
  })
}
