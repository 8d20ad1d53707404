import { createAdmin } from '@kafka-ref/local-servers'

export interface GroupChange {
  /** ms since the watch began. */
  atMs: number
  state: string
  members: number
}

/**
 * Where a consumer group's time goes after a broker restart: its state and member count, sampled
 * every 100 ms, kept only when they change (a member the broker still counts from before the
 * outage shows here as one member too many until its session expires).
 */
export function watchGroup(brokers: string, groupId: string) {
  const admin = createAdmin(brokers, 1_000)
  const started = performance.now()
  const changes: GroupChange[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      try {
        const group = (await admin.describeGroups({ groups: [groupId] })).get(groupId)
        const change = { state: String(group?.state ?? 'unknown'), members: group?.members.size ?? 0 }
        const last = changes.at(-1)
        if (!last || last.state !== change.state || last.members !== change.members)
          changes.push({ atMs: performance.now() - started, ...change })
      } catch {
        // Coordinator not loaded yet: the next sample tells.
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })()
  return {
    async stop(): Promise<GroupChange[]> {
      running = false
      await loop
      await admin.close().catch(() => undefined)
      return changes
    },
  }
}

export const formatChanges = (changes: GroupChange[]) =>
  changes.map((c) => `${(c.atMs / 1000).toFixed(2)} s ${c.state}/${c.members}`).join(' → ')
