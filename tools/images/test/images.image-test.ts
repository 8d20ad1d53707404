import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  freePorts,
  type LocalKafka,
  type LocalPostgres,
  repoRoot,
  startKafka,
  startPostgres,
} from '@kafka-ref/local-servers'
import { launchChromium } from '@kafka-ref/local-servers/browser'
import type { ProfileResponse } from '@kafka-ref/shared-contracts'
import { getProfile, register, userRequests, waitFor } from '@kafka-ref/testkit/clients'
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ComposeFile } from '../src/compose.ts'
import { Container, removeLeftovers, runOnce } from '../src/container.ts'
import { engineFromEnv } from '../src/engine.ts'
import {
  baseImage,
  buildImage,
  frontendImage,
  type ImageName,
  type ImageSpec,
  imageSize,
  imageTag,
  RDKAFKA_FEATURES,
  SERVICE_IMAGES,
} from '../src/images.ts'

const engine = engineFromEnv()
const compose = new ComposeFile()
const LOGS = join(repoRoot(), 'reports', 'images')
const MB = 1_000_000
/** nginx's stop, for which docker-compose.yml sets no budget: Docker's default stop timeout. */
const PAGE_SHUTDOWN_BUDGET_MS = 10_000

// One build of each image, one Kafka, one PostgreSQL and one container per image for the file; the
// tests run in order, the last one stops the containers.
describe(`the production images, built with ${engine.name} and run against a local Kafka and PostgreSQL`, () => {
  const specs: ImageSpec[] = [...SERVICE_IMAGES]
  const containers = new Map<ImageName, Container>()
  const shutdownBudgetMs = new Map<ImageName, number>([['frontend', PAGE_SHUTDOWN_BUDGET_MS]])
  const urls = { user: '', profile: '', page: '' }
  let kafka: LocalKafka | undefined
  let postgres: LocalPostgres | undefined
  let browser: Browser | undefined

  async function build(spec: ImageSpec) {
    const seconds = await buildImage(engine, spec, join(LOGS, `build-${spec.name}.log`))
    console.log(`[images] built ${imageTag(spec.name)} in ${seconds.toFixed(0)} s`)
  }

  beforeAll(async () => {
    await mkdir(LOGS, { recursive: true })
    await removeLeftovers(engine)
    for (const spec of specs) await build(spec)

    kafka = await startKafka()
    postgres = await startPostgres()
    const [userPort, profilePort, pagePort] = await freePorts(3)
    urls.user = `http://127.0.0.1:${userPort}`
    urls.profile = `http://127.0.0.1:${profilePort}`
    urls.page = `http://127.0.0.1:${pagePort}`
    const frontend = frontendImage(urls)
    specs.push(frontend)
    await build(frontend)

    // The containers run as docker-compose.yml says, but on the host's network: Kafka, PostgreSQL
    // and the page are on 127.0.0.1 here. First its kafka-topics step (the user-service image).
    const [node, ...script] = compose.service('kafka-topics').command ?? []
    await runOnce(engine, {
      image: imageTag('user-service'),
      env: { ...compose.environment('kafka-topics'), KAFKA_BROKERS: kafka.bootstrapServers },
      command: [node!, ...script],
    })
    for (const [name, port] of [
      ['user-service', userPort],
      ['profile-service', profilePort],
    ] as const) {
      // The database the compose file names, on the local server.
      const database = new URL(compose.environment(name).DATABASE_URL!).pathname.slice(1)
      const env: Record<string, string> = {
        ...compose.environment(name),
        KAFKA_BROKERS: kafka.bootstrapServers,
        DATABASE_URL: await postgres.createDatabase(database),
        CORS_ORIGINS: urls.page,
        HOST: '127.0.0.1',
        PORT: String(port),
      }
      // Its own bound: readiness drains, then the close (the compose file's stop_grace_period is above).
      shutdownBudgetMs.set(name, Number(env.SHUTDOWN_DRAIN_DELAY_MS ?? 0) + Number(env.SHUTDOWN_TIMEOUT_MS))
      containers.set(name, await Container.start(engine, name, { image: imageTag(name), env }))
    }
    // The page's container port, as the compose file publishes it.
    const [{ container: pageContainerPort } = { container: 0 }] = compose.published('frontend')
    containers.set(
      'frontend',
      await Container.start(engine, 'frontend', {
        image: imageTag('frontend'),
        network: { publish: { host: pagePort!, container: pageContainerPort } },
      }),
    )
  }, 60 * 60_000)

  afterAll(async () => {
    await browser?.close()
    for (const container of containers.values()) await container.remove()
    await kafka?.stop()
    await postgres?.stop()
  })

  afterEach(async (test) => {
    if (test.task.result?.state !== 'fail') return
    for (const [name, container] of containers) {
      console.error(`--- last log lines of the ${name} container ---\n${await container.logs()}`)
    }
  })

  it('keeps each image within its size budget over its base', async () => {
    const rows = []
    for (const spec of specs) {
      const [size, base] = await Promise.all([
        imageSize(engine, imageTag(spec.name)),
        imageSize(engine, baseImage(spec)),
      ])
      rows.push({
        image: spec.name,
        base: baseImage(spec),
        addedMb: (size - base) / MB,
        budgetMb: spec.budgetMb,
      })
    }
    console.table(rows.map((row) => ({ ...row, addedMb: row.addedMb.toFixed(1) })))
    for (const row of rows) expect(row.addedMb, `${row.image} adds to ${row.base}`).toBeLessThan(row.budgetMb)
  })

  it('puts only what runs in the service images: compiled JavaScript and the built binding', async () => {
    for (const name of ['user-service', 'profile-service'] as const) {
      // Our packages hold package.json and dist/src alone; nothing anywhere is TypeScript.
      const listing = await runOnce(engine, {
        image: imageTag(name),
        command: [
          'sh',
          '-c',
          'cd /app && find . ./node_modules/.pnpm/@kafka-ref+*/node_modules/@kafka-ref/* -mindepth 1 -maxdepth 1 ' +
            "-not -name package.json -not -name dist -not -name node_modules; find dist -mindepth 1 -maxdepth 1 -not -name src; find . -name '*.ts'",
        ],
      })
      expect(listing.split('\n').filter(Boolean), `unexpected files in ${name}`).toEqual([])
    }
    // node-rdkafka loads (its binding and librdkafka), without librdkafka's build tree.
    const rdkafka = await runOnce(engine, {
      image: imageTag('profile-service'),
      command: [
        'sh',
        '-c',
        'node -e "console.log(require(\'node-rdkafka\').librdkafkaVersion)" && ls node_modules/node-rdkafka/',
      ],
    })
    const [version, ...entries] = rdkafka.trim().split('\n')
    expect(version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(entries.sort()).toEqual(['LICENSE.txt', 'build', 'lib', 'librdkafka.js', 'package.json'])
  })

  it('links librdkafka in the profile-service image with TLS, SASL and every compression codec', async () => {
    const features = await runOnce(engine, {
      image: imageTag('profile-service'),
      command: ['node', '-e', "console.log(JSON.stringify(require('node-rdkafka').features))"],
    })
    const missing = RDKAFKA_FEATURES.filter((feature) => !JSON.parse(features).includes(feature))
    expect(missing, `features missing from node-rdkafka's librdkafka (it has ${features.trim()})`).toEqual([])
  })

  it('starts each service, ready on /health/ready, as a non-root user', { timeout: 120_000 }, async () => {
    for (const [name, url] of [
      ['user-service', urls.user],
      ['profile-service', urls.profile],
    ] as const) {
      await waitFor(async () => (await fetch(`${url}/health/ready`)).status === 200, {
        timeoutMs: 90_000,
        intervalMs: 500,
        description: `${name} container ready on ${url}/health/ready`,
      })
    }
    for (const [name, container] of containers) {
      const uids = await container.mainProcessUids()
      expect(uids.length, `${name}'s uids`).toBe(4)
      for (const uid of uids) expect(uid, `${name}'s main process uid`).toBeGreaterThan(0)
    }
  })

  it('turns a registration through the user-service container into a profile read through the profile-service container', {
    timeout: 60_000,
  }, async () => {
    const [user] = userRequests(1)
    const registered = await register(urls.user, user!)
    expect(registered.status).toBe(201)
    const profile = await waitFor(
      async () => {
        const response = await getProfile(urls.profile, registered.body.id, 5_000)
        return response.status === 200 && response
      },
      { timeoutMs: 45_000, description: 'the profile through the profile-service container' },
    )
    expect(profile.body).toMatchObject<Partial<ProfileResponse>>({
      userId: registered.body.id,
      username: user!.username,
    })
  })

  it('serves the page from the frontend container, and the page registers through the service containers', {
    timeout: 90_000,
  }, async () => {
    const index = await waitFor(
      async () => {
        const response = await fetch(`${urls.page}/`)
        return response.status === 200 && response
      },
      { timeoutMs: 30_000, intervalMs: 250, description: `the page at ${urls.page}` },
    )
    expect(index.headers.get('cache-control')).toBe('no-cache')

    browser = await launchChromium()
    const page = await browser.newPage()
    await page.goto(urls.page)
    const [user] = userRequests(1)
    const displayName = `Image ${randomBytes(3).toString('hex')}`
    await page.getByLabel('Email').fill(user!.email)
    await page.getByLabel('Username').fill(user!.username)
    await page.getByLabel('Display name').fill(displayName)
    await page.getByLabel('Password').fill(user!.password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: displayName }).waitFor({ timeout: 30_000 })
    const userId = (await page.locator('#profile-id').textContent())!
    const stored = await getProfile(urls.profile, userId)
    expect(stored.body).toMatchObject<Partial<ProfileResponse>>({ userId, displayName })
  })

  it('stops each container on its stop signal within its shutdown budget, cleanly', {
    timeout: 120_000,
  }, async () => {
    const stopped = await Promise.all(
      [...containers].map(async ([name, container]) => {
        const budgetMs = shutdownBudgetMs.get(name)!
        // Grace beyond the budget before the engine's SIGKILL, so a slow but clean stop shows as slow.
        return { name, budgetMs, ...(await container.stop(budgetMs / 1000 + 10)) }
      }),
    )
    console.table(stopped)
    for (const { name, ms, exitCode, budgetMs } of stopped) {
      expect(exitCode, `${name}'s exit code (137: killed)`).toBe(0)
      expect(ms, `${name}'s stop (ms)`).toBeLessThan(budgetMs)
    }
  })
})
