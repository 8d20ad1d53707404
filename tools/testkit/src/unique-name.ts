import { randomBytes } from 'node:crypto'

/**
 * `<prefix>-<time>-<random>`: unique across files, workers and reruns against a long-lived broker,
 * for topic names, group ids and database names.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}
