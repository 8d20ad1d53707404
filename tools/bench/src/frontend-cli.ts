import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { launchChromium } from '@kafka-ref/local-servers/browser'
import { runCli, UsageError } from '@kafka-ref/local-servers/cli'
import { type BuiltFile, startSystemWithPage } from '@kafka-ref/system'
import type { Browser } from 'playwright-core'
import { summarize } from './report/stats.ts'

const cli = {
  command: 'pnpm bench:frontend',
  options: { runs: { type: 'string', default: '20' }, 'hash-cost': { type: 'string' } },
  help: `What a person waits for: submit in the registration page → profile card shown, in Chromium,
against the whole system with production settings (its own broker, PostgreSQL and services).
Also prints the page's bundle size. Not part of the tests.
  --runs N        measured runs, after 2 warm-up ones (default 20)
  --hash-cost N   the services' PASSWORD_HASH_COST (default theirs, 17)`,
} as const

/** Written by the page (frontend/src/main.ts) once the profile is on screen. */
const MEASURE = 'register:submit-to-profile'
const WARM_UP_RUNS = 2

interface Run {
  /** submit → profile shown, from the page's own performance marks. */
  totalMs: number
  /** POST /user/register as the browser saw it (CORS preflight included). */
  registerMs: number
  /** GET /profile/:id?waitMs= calls, summed. */
  profileMs: number
}

runCli(cli, async (values) => {
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`invalid --runs '${values.runs}': a whole number, 1 or more`)
  const hashCost = values['hash-cost']
  const log = (message: string) => process.stderr.write(`[bench:frontend] ${message}\n`)

  log('starting Kafka, PostgreSQL, both services and the built page...')
  const running = await startSystemWithPage({
    kafka: { local: {} },
    postgres: { local: {} },
    preset: 'bench-production',
    ...(hashCost && { env: { PASSWORD_HASH_COST: hashCost } }),
  })
  let browser: Browser | undefined
  try {
    browser = await launchChromium()
    const results: Run[] = []
    for (let i = 0; i < WARM_UP_RUNS + runs; i++) {
      const run = await registerOnce(browser, running.page.url, running.system.service('profile-service').url)
      if (i >= WARM_UP_RUNS) results.push(run)
      log(
        `${i < WARM_UP_RUNS ? 'warm-up' : `run ${i - WARM_UP_RUNS + 1}/${runs}`}: ${run.totalMs.toFixed(0)} ms`,
      )
    }
    report(results, running.files, hashCost)
  } finally {
    await browser?.close()
    await running.stop()
  }
})

/** One new visitor (fresh browser context: no cache, no CORS preflight cache) registers. */
async function registerOnce(browser: Browser, pageUrl: string, profileServiceUrl: string): Promise<Run> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(pageUrl)
    const tag = randomBytes(4).toString('hex')
    await page.getByLabel('Email').fill(`bench.${tag}@example.com`)
    await page.getByLabel('Username').fill(`bench_${tag}`)
    await page.getByLabel('Display name').fill(`Bench ${tag}`)
    await page.getByLabel('Password').fill('correct horse battery staple')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: `Bench ${tag}` }).waitFor({ timeout: 30_000 })
    // No named helpers inside: tsx (esbuild keepNames) would wrap them in a `__name` call that
    // does not exist in the page.
    return await page.evaluate(
      ({ measure, profileServiceUrl }) => ({
        totalMs: performance.getEntriesByName(measure)[0]!.duration,
        registerMs: performance
          .getEntriesByType('resource')
          .filter((entry) => entry.name.endsWith('/user/register'))
          .reduce((total, entry) => total + entry.duration, 0),
        profileMs: performance
          .getEntriesByType('resource')
          .filter((entry) => entry.name.startsWith(`${profileServiceUrl}/profile/`))
          .reduce((total, entry) => total + entry.duration, 0),
      }),
      { measure: MEASURE, profileServiceUrl },
    )
  } finally {
    await context.close()
  }
}

function report(results: Run[], files: BuiltFile[], hashCost: string | undefined): void {
  const total = summarize(results.map((run) => run.totalMs))
  const register = summarize(results.map((run) => run.registerMs))
  const profile = summarize(results.map((run) => run.profileMs))
  const ms = (value: number) => `${value.toFixed(0)} ms`
  const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`
  const sumOf = (list: BuiltFile[], key: 'bytes' | 'gzipBytes') => list.reduce((n, file) => n + file[key], 0)
  const cost = hashCost ? `PASSWORD_HASH_COST=${hashCost}` : 'default PASSWORD_HASH_COST (17)'

  console.log(`
submit → profile shown, ${results.length} runs (${cost}), median (min–max):
  total                    ${ms(total.median)} (${ms(total.min)}–${ms(total.max)})
  POST /user/register      ${ms(register.median)} (${ms(register.min)}–${ms(register.max)})  incl. CORS preflight
  GET /profile/:id?waitMs  ${ms(profile.median)} (${ms(profile.min)}–${ms(profile.max)})

bundle (vite build; gzip -9):
${files.map((file) => `  ${file.file.padEnd(32)} ${kB(file.bytes).padStart(9)}  gzip ${kB(file.gzipBytes)}`).join('\n')}
  ${'total'.padEnd(32)} ${kB(sumOf(files, 'bytes')).padStart(9)}  gzip ${kB(sumOf(files, 'gzipBytes'))}

${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, ${new Date().toISOString()}`)

  const dir = join(repoRoot(), 'reports')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'bench-frontend.json'),
    `${JSON.stringify({ hashCost: hashCost ?? 'default', runs: results, total, register, profile, files }, null, 2)}\n`,
  )
}
