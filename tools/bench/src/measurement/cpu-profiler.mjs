// Preloaded into a service with NODE_OPTIONS="--import <this file>" by `pnpm bench --profile`:
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so the V8 profiler is driven through the inspector.
// Sampling starts at SIGWINCH (ignored by default; close-with-grace treats SIGUSR2 as a shutdown) (sent when a measured run begins, so start-up stays out of the
// profile) and the profile is written when the process exits (a graceful stop calls process.exit).
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { join } from 'node:path'

const dir = process.env.BENCH_CPU_PROFILE_DIR
if (dir) {
  const session = new Session()
  session.connect()
  session.post('Profiler.enable')
  let started = false
  process.on('SIGWINCH', () => {
    if (started) return
    started = true
    session.post('Profiler.start')
  })
  process.once('exit', () => {
    if (!started) return
    // An in-thread inspector session answers synchronously, so this runs before the process is gone.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile))
    })
  })
}
