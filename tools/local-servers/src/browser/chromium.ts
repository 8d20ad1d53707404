import { accessSync, constants } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'
import { ToolError } from '../util/tool-error.ts'

/** Debian's `chromium` package; `CHROMIUM_PATH` points elsewhere (e.g. a Chrome on macOS). */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}

/**
 * Headless Chromium driven by playwright-core. The browser is the system's: Playwright's own
 * download cannot run on machines without internet access. Playwright gives each launch a fresh
 * profile directory and, as root, runs it without the sandbox.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath()
  try {
    accessSync(executablePath, constants.X_OK)
  } catch {
    throw new ToolError(
      `Chromium not found at ${executablePath}: the browser tests need it. Install it with 'apt-get install chromium' (tools/setup.sh does this when run as root), or set CHROMIUM_PATH.`,
    )
  }
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    // Chromium's own background traffic (updates, sync, field trials) would only wait on a closed
    // network; the tests talk to 127.0.0.1 alone.
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
