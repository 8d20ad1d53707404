import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { launchChromium } from '@kafka-ref/local-servers/browser'
import type { ProfileResponse } from '@kafka-ref/shared-contracts'
import { type ServiceProcess, type SystemWithPage, startSystemWithPage } from '@kafka-ref/system'
import {
  createWorld,
  getProfile,
  register,
  startService,
  systemOptionsFor,
  type TestWorld,
  useHarness,
  userRequests,
  waitFor,
} from '@kafka-ref/testkit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const SCREENSHOTS = join(repoRoot(), 'reports', 'screenshots')
/** Low enough for the last test to reach with a few calls, above what the tests before it use. */
const REGISTER_RATE_LIMIT_MAX = 12
/**
 * One rate-limit window for the whole file (about a minute, more on a busy machine): a window
 * ending while the last test spends the quota would leave it short of requests.
 */
const REGISTER_RATE_LIMIT_WINDOW_MS = 10 * 60_000

// One system, one built page and one browser for the file; a fresh browser context (no shared
// state) per test. The page is served from its own origin, so every call is a CORS call.
describe('the registration page in Chromium, against the real system', () => {
  let running: SystemWithPage
  // Where the page and the test reach each service.
  let userService: ServiceProcess
  let profileService: ServiceProcess
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let pageErrors: string[]
  let world: TestWorld
  const harness = useHarness()

  beforeAll(async () => {
    world = await createWorld({ createTopics: false })
    running = await startSystemWithPage({
      ...systemOptionsFor(world),
      env: {
        REGISTER_RATE_LIMIT_MAX: String(REGISTER_RATE_LIMIT_MAX),
        REGISTER_RATE_LIMIT_WINDOW_MS: String(REGISTER_RATE_LIMIT_WINDOW_MS),
      },
    })
    userService = running.system.service('user-service').instances[0]!
    profileService = running.system.service('profile-service').instances[0]!
    browser = await launchChromium()
    await mkdir(SCREENSHOTS, { recursive: true })
  })

  afterAll(async () => {
    await browser?.close()
    await running?.stop()
  })

  async function openPage(setup?: (context: BrowserContext) => Promise<void>): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 720, height: 900 } })
    await setup?.(context)
    page = await context.newPage()
    pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(running.page.url)
    return page
  }

  afterEach(async (test) => {
    if (test.task.result?.state === 'fail') {
      await page
        ?.screenshot({ path: join(SCREENSHOTS, `${slug(test.task.name)}-failed.png`) })
        .catch(() => {})
      for (const service of [userService, profileService]) {
        console.error(`--- last log lines of ${service.label} ---\n${service.lines.slice(-30).join('\n')}`)
      }
    } else {
      // The page never threw: every failure it met became something on screen.
      expect(pageErrors).toEqual([])
    }
    await context?.close()
  })

  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })

  async function fill(values: { email: string; username: string; displayName?: string; password: string }) {
    await page.getByLabel('Email').fill(values.email)
    await page.getByLabel('Username').fill(values.username)
    await page.getByLabel('Display name').fill(values.displayName ?? '')
    await page.getByLabel('Password').fill(values.password)
  }

  const errorOf = (field: string) => page.locator(`#${field}-error`)
  const focusedId = () => page.locator(':focus').getAttribute('id', { timeout: 1_000 })

  it('registers with the keyboard alone and shows the stored profile', { timeout: 60_000 }, async () => {
    await openPage()
    const [user] = userRequests(1)
    // Tab order from the top of the page: email, username, display name, password; Enter submits.
    await page.keyboard.press('Tab')
    await page.keyboard.type(user!.email)
    await page.keyboard.press('Tab')
    await page.keyboard.type(user!.username)
    await page.keyboard.press('Tab')
    await page.keyboard.type('Ada Lovelace')
    await page.keyboard.press('Tab')
    await page.keyboard.type(user!.password)
    await page.keyboard.press('Enter')

    const name = page.getByRole('heading', { name: 'Ada Lovelace' })
    await name.waitFor({ timeout: 20_000 })
    await expect(page.locator('#profile-username').textContent()).resolves.toBe(`@${user!.username}`)
    await expect(page.locator('#profile-email').textContent()).resolves.toBe(user!.email)
    // The browser's language went with the registration; the producer still writes v1 (the
    // default), which has no locale, so the profile has none yet.
    await expect(page.locator('#profile-locale').textContent()).resolves.toBe('Not given')
    // The card shows what the profile-service stored for this user id.
    const userId = (await page.locator('#profile-id').textContent())!
    const stored = await getProfile(profileService.url, userId)
    expect(stored.body).toMatchObject<Partial<ProfileResponse>>({
      userId,
      username: user!.username,
      displayName: 'Ada Lovelace',
    })
    // Focus followed the flow, so a keyboard or screen-reader user lands on the result.
    await expect.poll(focusedId).toBe('result-title')
    await shoot('01-profile-shown')

    // And back to an empty form, focus in its first field.
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.getByLabel('Email').waitFor()
    await expect.poll(focusedId).toBe('email')
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe('')
  })

  it('puts a taken email, then a taken username, on its field', { timeout: 30_000 }, async () => {
    const [existing, other] = userRequests(2)
    expect((await register(userService.url, existing!)).status).toBe(201)
    await openPage()

    await fill({ ...other!, email: existing!.email.toUpperCase() })
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect.poll(() => errorOf('email').textContent()).toBe('This email is already registered.')
    await expect(page.getByLabel('Email').getAttribute('aria-invalid')).resolves.toBe('true')
    await expect.poll(focusedId).toBe('email')
    await expect(errorOf('username').textContent()).resolves.toBe('')
    await shoot('02-email-taken')

    await page.getByLabel('Email').fill(other!.email)
    // Editing the field cleared its error at once.
    await expect(errorOf('email').textContent()).resolves.toBe('')
    await page.getByLabel('Username').fill(existing!.username)
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect
      .poll(() => errorOf('username').textContent())
      .toBe('This username is taken. Try another one.')
    await expect(errorOf('email').textContent()).resolves.toBe('')
  })

  it('refuses an invalid email in the page, without sending anything', { timeout: 30_000 }, async () => {
    await openPage()
    const calls: string[] = []
    page.on('request', (request) => {
      if (!request.url().startsWith(running.page.url)) calls.push(`${request.method()} ${request.url()}`)
    })
    const button = page.getByRole('button', { name: 'Create account' })
    const before = await button.boundingBox()

    const [user] = userRequests(1)
    await fill({ ...user!, email: 'ada.example.com', password: 'too short' })
    await button.click()
    await expect
      .poll(() => errorOf('email').textContent())
      .toBe('Enter an email address like ada@example.com.')
    await expect(errorOf('password').textContent()).resolves.toBe('Password must be at least 12 characters.')
    await expect(page.locator('#form-status').textContent()).resolves.toBe(
      'Please correct the highlighted fields.',
    )
    await expect.poll(focusedId).toBe('email')
    // Room for the messages was there before: nothing below them moved.
    expect(await button.boundingBox()).toEqual(before)
    expect(calls).toEqual([])
    await shoot('03-invalid-email')
  })

  it('waits while the profile-service is down and shows the profile once it is back', {
    timeout: 90_000,
  }, async () => {
    await profileService.stop()
    try {
      await openPage()
      const [user] = userRequests(1)
      await fill(user!)
      await page.getByRole('button', { name: 'Create account' }).click()

      const status = page.locator('#waiting-status')
      await expect
        .poll(() => status.textContent(), { timeout: 20_000 })
        .toMatch(/^Your profile is being created… The profile service is not answering yet/)
      await expect(page.getByRole('heading', { name: 'Account created' }).isVisible()).resolves.toBe(true)
      await shoot('04a-waiting-for-profile-service')
    } finally {
      await profileService.start()
    }
    // No click: the page finds the profile by itself once the service is back.
    await page.getByRole('heading', { name: 'Welcome!' }).waitFor({ timeout: 30_000 })
    await expect(page.locator('#profile-card').isVisible()).resolves.toBe(true)
    await shoot('04b-profile-after-restart')
  })

  it('stops waiting after its time budget and tries again on request', { timeout: 90_000 }, async () => {
    await profileService.stop()
    try {
      // The page's clock, so the 30 s budget passes without waiting 30 s.
      await openPage((context) => context.clock.install())
      const [user] = userRequests(1)
      await fill(user!)
      await page.getByRole('button', { name: 'Create account' }).click()
      await expect
        .poll(() => page.locator('#waiting-status').textContent(), { timeout: 20_000 })
        .toMatch(/not answering/)
      await page.clock.fastForward('00:31')

      const retry = page.getByRole('button', { name: 'Try again' })
      await retry.waitFor({ timeout: 10_000 })
      await expect(
        page.getByRole('heading', { name: 'Still creating your profile' }).isVisible(),
      ).resolves.toBe(true)
      await expect(page.locator('#waiting-status').textContent()).resolves.toContain(
        'The profile service is not answering.',
      )
      await expect.poll(focusedId).toBe('retry')
      await shoot('05a-wait-timed-out')
    } finally {
      await profileService.start()
    }
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Welcome!' }).waitFor({ timeout: 30_000 })
    await expect(page.getByRole('button', { name: 'Try again' }).isVisible()).resolves.toBe(false)
    await shoot('05b-profile-after-retry')
  })

  it('shows the profile while the profile-service refuses every wait, reading without waitMs', {
    timeout: 120_000,
  }, async () => {
    const profileReads: string[] = []
    // The page's profile-service lets no request wait (PROFILE_MAX_WAITERS=0), and creates no
    // profile (no consumer): the page is refused its wait and must read without one.
    await profileService.stop()
    profileService.setEnv({ PROFILE_MAX_WAITERS: '0', CONSUMER_ENABLED: 'false' })
    try {
      await profileService.start()
      await openPage()
      page.on('request', (request) => {
        if (request.url().startsWith(`${profileService.url}/profile/`)) profileReads.push(request.url())
      })
      const [user] = userRequests(1)
      await fill(user!)
      await page.getByRole('button', { name: 'Create account' }).click()
      await expect
        .poll(() => profileReads.filter((url) => url.endsWith('waitMs=0')).length, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(2)
      // Refused only the wait, the page says nothing is wrong: the profile is on its way.
      await expect(page.locator('#waiting-status').textContent()).resolves.toBe(
        'Your profile is being created…',
      )
      await shoot('08a-waits-refused')

      // Another instance consumes: the profile now exists, and waits are still refused.
      await startService(harness, world, 'profile-service', { label: 'profile-service#consumer' })
      await page.getByRole('heading', { name: 'Welcome!' }).waitFor({ timeout: 30_000 })
      await expect(page.locator('#profile-username').textContent()).resolves.toBe(`@${user!.username}`)
      await shoot('08b-profile-while-waits-refused')
    } finally {
      await profileService.stop()
      profileService.setEnv({})
      await profileService.start()
    }
  })

  it('says the network is down, and registers once it is back', { timeout: 30_000 }, async () => {
    await openPage()
    const [user] = userRequests(1)
    await fill(user!)
    await context.setOffline(true)
    await page.getByRole('button', { name: 'Create account' }).click()
    const status = page.locator('#form-status')
    await expect
      .poll(() => status.textContent())
      .toBe('You are offline. Connect to the internet and try again.')
    // Nothing was lost: the form keeps what was typed.
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(user!.email)
    await shoot('06-offline')

    await context.setOffline(false)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Welcome!' }).waitFor({ timeout: 20_000 })
  })

  // Last: it spends the registration quota of 127.0.0.1 for the rest of the window.
  it('shows when to try again after a 429, read from Retry-After across origins', {
    timeout: 30_000,
  }, async () => {
    const requests = userRequests(REGISTER_RATE_LIMIT_MAX + 1)
    const limited = await waitFor(
      async () => {
        const response = await register(userService.url, requests.pop()!)
        return response.status === 429 && response
      },
      { timeoutMs: 20_000, intervalMs: 0, description: 'a 429 from POST /user/register' },
    )
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)

    await openPage()
    const [user] = userRequests(1)
    await fill(user!)
    await page.getByRole('button', { name: 'Create account' }).click()
    const status = page.locator('#form-status')
    await expect
      .poll(() => status.textContent())
      .toMatch(/^Too many attempts from this address\. Try again in \d+ seconds\.$/)
    await shoot('07-rate-limited')

    // Until then the page does not even ask.
    let sent = 0
    page.on('request', (request) => {
      if (request.url().startsWith(userService.url)) sent++
    })
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect.poll(() => status.textContent()).toMatch(/^Please wait \d+ seconds before trying again\.$/)
    expect(sent).toBe(0)
  })
})

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}
