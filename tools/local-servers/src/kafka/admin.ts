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
 * Polls a metadata request until the broker answers and lists itself, or the deadline passes.
 * `alive` lets the caller stop early when the broker process has died.
 */
export async function waitForBroker(
  bootstrapServers: string,
  { timeoutMs, alive = () => true }: { timeoutMs: number; alive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline && alive()) {
    const admin = createAdmin(bootstrapServers, 2_000)
    try {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true })
      if (metadata.brokers.size > 0) return
      lastError = new Error('broker answered but lists no brokers yet')
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
