import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@kafka-ref/local-servers'
import { type BuiltFile, buildFrontend, FrontendServer } from './frontend.ts'
import { startSystem } from './start-system.ts'
import type { RunningSystem, SystemOptions } from './system-options.ts'

export interface SystemWithPage {
  system: RunningSystem
  page: FrontendServer
  /** What `vite build` emitted, with sizes. */
  files: BuiltFile[]
  stop(): Promise<void>
}

/**
 * The whole system plus its built page, as a user meets it: `startSystem` (one instance of each
 * service unless `services` says otherwise), the page built against those services and served by
 * `vite preview` on its own origin, which the services allow through CORS_ORIGINS (so every call
 * is a real cross-origin call).
 */
export async function startSystemWithPage(
  options: Omit<SystemOptions, 'services'> & Partial<Pick<SystemOptions, 'services'>>,
): Promise<SystemWithPage> {
  const pagePort = await freePort()
  const outDir = await mkdtemp(join(tmpdir(), 'kafka-ref-frontend-'))
  const cleanup: Array<() => Promise<unknown>> = [() => rm(outDir, { recursive: true, force: true })]
  const stop = async () => {
    for (let close = cleanup.pop(); close; close = cleanup.pop()) await close().catch(() => undefined)
  }
  try {
    const system = await startSystem({
      services: { 'user-service': {}, 'profile-service': {} },
      ...options,
      env: { ...options.env, CORS_ORIGINS: `http://127.0.0.1:${pagePort}` },
    })
    cleanup.push(() => system.stop())
    const files = await buildFrontend(outDir, {
      userServiceUrl: system.service('user-service').url,
      profileServiceUrl: system.service('profile-service').url,
    })
    const page = new FrontendServer({ mode: 'preview', port: pagePort, outDir })
    cleanup.push(() => page.stop())
    await page.start()
    return { system, page, files, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
