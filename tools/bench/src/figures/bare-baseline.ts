import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { freePort, guardAgainstOrphan } from '@kafka-ref/local-servers'

const BARE_SCRIPT = fileURLToPath(new URL('./bare-server.ts', import.meta.url))
const STACK_SCRIPT = fileURLToPath(new URL('./stack-server.ts', import.meta.url))

export interface BareServer {
  url: string
  pid: number | undefined
  stop(): Promise<void>
}

/** Starts the bare Fastify baseline as its own process, as the services are, and waits until it listens. */
export async function startBareServer(profile: unknown, user: unknown): Promise<BareServer> {
  const port = await freePort()
  return startBaseline(
    'bare Fastify server',
    port,
    [BARE_SCRIPT, String(port), JSON.stringify(profile), JSON.stringify(user)],
    {},
  )
}

/**
 * Starts profile-service's framework stack answering `profile` from memory (stack-server.ts), with
 * the service's environment `env`, so its base app is configured as the service's is.
 */
export async function startStackServer(profile: unknown, env: Record<string, string>): Promise<BareServer> {
  const port = await freePort()
  return startBaseline('framework stack server', port, [STACK_SCRIPT, JSON.stringify(profile)], {
    ...env,
    PORT: String(port),
  })
}

async function startBaseline(
  name: string,
  port: number,
  args: string[],
  env: Record<string, string>,
): Promise<BareServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  })
  if (child.pid !== undefined) child.once('exit', guardAgainstOrphan(child.pid, 'KILL'))
  const lines = createInterface({ input: child.stdout! })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'listening' && resolve())
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code}`)))
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
