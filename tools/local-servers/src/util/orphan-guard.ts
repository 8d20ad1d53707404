import { spawn } from 'node:child_process'

/**
 * Kills `childPid` once this Node process is gone, even when Node itself was SIGKILLed (for example
 * a vitest worker torn down hard), which a process 'exit' handler cannot cover. It is a tiny detached
 * shell loop that polls our pid once a second. Returns a function that cancels the guard.
 */
export function guardAgainstOrphan(childPid: number, signal: 'TERM' | 'INT' | 'KILL'): () => void {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `kill -${signal} ${childPid} 2>/dev/null`,
    // A JVM that ignores TERM for 15 s is stuck; make sure it goes.
    `sleep 15; kill -KILL ${childPid} 2>/dev/null`,
  ].join('; ')
  const guard = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' })
  guard.on('error', () => undefined)
  guard.unref()
  return () => {
    try {
      if (guard.pid !== undefined) process.kill(guard.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}
