import { proxiedUrl, type TcpProxy } from '@kafka-ref/testkit'
import { pino } from 'pino'
import { ProfileListener } from '../../src/profiles/profile-listener.ts'

/**
 * A profile listener whose connection goes through a fresh proxy, with a fast heartbeat, so a
 * test can silence the connection and watch the listener notice it. Close both after the test.
 */
export async function listenerBehindProxy(
  databaseUrl: string,
): Promise<{ listener: ProfileListener; proxy: TcpProxy }> {
  const { proxy, url } = await proxiedUrl(databaseUrl)
  const listener = new ProfileListener(url, pino({ level: 'silent' }), {
    heartbeatIntervalMs: 200,
    heartbeatTimeoutMs: 300,
  })
  return { listener, proxy }
}
