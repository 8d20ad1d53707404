import { Admin } from '@platformatic/kafka'
import { sleep } from '../util/sleep.ts'

export function createAdmin(bootstrapServers: string, timeoutMs = 5_000): Admin {
  return new Admin({
    clientId: 'kafka-ref-tools',
    bootstrapBrokers: bootstrapServers.split(','),
    timeout: timeoutMs,
    // We poll with our own deadline; the client's own retries would only hide progress.
    retries: 0,
  })
}

/**
 * Polls a metadata request until the cluster answers and lists every broker of `brokerIds` (by
 * default: any broker at all), or the deadline passes. A broker is listed once the controller has
 * unfenced it, i.e. it can lead partitions. `alive` lets the caller stop early when a broker
 * process it waits for has died.
 */
export async function waitForBroker(
  bootstrapServers: string,
  {
    timeoutMs,
    alive = () => true,
    brokerIds = [],
  }: { timeoutMs: number; alive?: () => boolean; brokerIds?: readonly number[] },
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline && alive()) {
    const admin = createAdmin(bootstrapServers, 2_000)
    try {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true })
      const missing = brokerIds.filter((id) => !metadata.brokers.has(id))
      if (metadata.brokers.size > 0 && missing.length === 0) return
      lastError = new Error(
        metadata.brokers.size === 0
          ? 'broker answered but lists no brokers yet'
          : `brokers ${missing.join(', ')} not listed yet (listed: ${[...metadata.brokers.keys()].join(', ')})`,
      )
    } catch (error) {
      lastError = error
    } finally {
      await admin.close().catch(() => undefined)
    }
    await sleep(200)
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError)
  throw new Error(`Kafka at ${bootstrapServers} did not become ready within ${timeoutMs} ms: ${reason}`)
}
