import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { freePort } from '@kafka-ref/tools/util/free-port'
import { guardAgainstOrphan } from '@kafka-ref/tools/util/orphan-guard'

const SCRIPT = fileURLToPath(new URL('./bare-server.ts', import.meta.url))

export interface BareServer {
  url: string
  pid: number | undefined
  stop(): Promise<void>
}

/** Starts the bare Fastify baseline as its own process, as the services are, and waits until it listens. */
export async function startBareServer(profile: unknown, user: unknown): Promise<BareServer> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', SCRIPT, String(port), JSON.stringify(profile), JSON.stringify(user)],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  )
  if (child.pid !== undefined) child.once('exit', guardAgainstOrphan(child.pid, 'KILL'))
  const lines = createInterface({ input: child.stdout! })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'listening' && resolve())
    child.once('exit', (code) => reject(new Error(`bare Fastify server exited with code ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}
