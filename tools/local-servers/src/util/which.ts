import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Looks a command up on PATH without spawning it, so a missing tool gives our message, not ENOENT. */
export function which(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined
}
