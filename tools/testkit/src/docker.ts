/**
 * Whether a container runtime answers, within `timeoutMs`. testcontainers is imported lazily: most
 * runs here have no Docker and should not pay for loading it. TEST_SERVERS=local skips the check.
 */
export async function dockerAvailable(timeoutMs = 5_000): Promise<boolean> {
  if (process.env.TEST_SERVERS === 'local') return false
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  const probe = (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers')
      await getContainerRuntimeClient()
      return true
    } catch {
      return false
    }
  })()
  try {
    return await Promise.race([probe, timeout])
  } finally {
    clearTimeout(timer)
  }
}
