import { type LocalKafka, startKafka } from '@kafka-ref/local-servers'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { LogCapture, scrapeMetrics, waitFor } from '@kafka-ref/testkit'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestContext, register, registration, startApp, type TestContext } from '../helpers.ts'

// A broker of its own: this file stops it, which must never happen to the shared one.
let kafka: LocalKafka
let context: TestContext
let app: ZodFastify | undefined

beforeAll(async () => {
  kafka = await startKafka()
  context = await createTestContext({ topics: true, brokers: kafka.bootstrapServers })
})
afterAll(async () => {
  await app?.close()
  await kafka?.stop()
})

const P = 'kafka_ref_'

// A broker of its own, stopped and started again: 30 s in a CI run, against the 60 s default; a
// loaded machine (load 10-25 on two cores) takes several times that.
it('shows the outbox backlog growing while Kafka is down and back to 0 after, with every outcome counted', {
  timeout: 180_000,
}, async () => {
  const logs = new LogCapture()
  app = await startApp({ ...context.env, OUTBOX_ENABLED: 'true' }, logs)
  const metrics = () => scrapeMetrics(app!)
  const first = registration()
  expect((await register(app, first)).statusCode).toBe(201)
  expect((await register(app, { ...first, username: 'someone_else' })).statusCode).toBe(409)
  expect((await register(app, { email: 'not an email' })).statusCode).toBe(400)
  await waitFor(async () => (await metrics()).value(`${P}outbox_events_published_total`) === 1, {
    timeoutMs: 20_000,
    description: 'the first event published',
  })

  await kafka.stop()
  for (let i = 0; i < 3; i++) expect((await register(app, registration())).statusCode).toBe(201)
  const down = await waitFor(
    async () => {
      const scrape = await metrics()
      // The backlog as counted at a refresh (STATUS_REFRESH_MS) since the registrations.
      const counted = scrape.value(`${P}outbox_backlog_rows`) === 3
      return counted && (scrape.value(`${P}outbox_publish_failures_total`) ?? 0) > 0 && scrape
    },
    { timeoutMs: 30_000, description: 'a failed send, and the backlog counted' },
  )
  expect(down.value(`${P}outbox_backlog_rows`)).toBe(3)
  expect(down.value(`${P}outbox_oldest_unpublished_age_seconds`)).toBeGreaterThan(0)
  expect(down.value(`${P}outbox_batch_duration_seconds_count`, { outcome: 'failed' })).toBeGreaterThan(0)

  await kafka.start()
  const back = await waitFor(
    async () => {
      const scrape = await metrics()
      return scrape.value(`${P}outbox_backlog_rows`) === 0 && scrape
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the backlog published' },
  )
  expect(back.value(`${P}outbox_oldest_unpublished_age_seconds`)).toBe(0)
  expect(back.value(`${P}outbox_events_published_total`)).toBe(4)
  // How many sends fail before the broker is back, and how many rows the failing batch holds (the
  // relay may claim the first row alone, before the other two commit), both depend on timing. What
  // is certain: every failed send is followed by a resend of the very same rows, and each row of it
  // counts once. So the counter equals the rows of the failed sends, which the relay logs.
  const failedSends = logs.lines
    .map((line) => JSON.parse(line) as { msg?: string; count?: number })
    .filter((line) => line.msg === 'publishing outbox rows failed; retrying')
  expect(failedSends.length).toBe(back.value(`${P}outbox_publish_failures_total`))
  const resentRows = failedSends.reduce((sum, line) => sum + (line.count ?? 0), 0)
  expect(resentRows).toBeGreaterThan(0)
  expect(back.value(`${P}outbox_publish_retries_total`)).toBe(resentRows)
  expect(back.value(`${P}outbox_batch_duration_seconds_count`, { outcome: 'published' })).toBeGreaterThan(1)
  expect(back.value(`${P}registrations_total`, { outcome: 'created' })).toBe(4)
  expect(back.value(`${P}registrations_total`, { outcome: 'conflict' })).toBe(1)
  expect(back.value(`${P}registrations_total`, { outcome: 'invalid' })).toBe(1)
  expect(back.value(`${P}registrations_total`, { outcome: 'overloaded' })).toBe(0)
  expect(
    back.value('http_request_duration_seconds_count', {
      method: 'POST',
      route: '/user/register',
      status_code: '201',
    }),
  ).toBe(4)
  expect(back.value(`${P}producer_connected`)).toBe(1)
  expect(back.value(`${P}password_hashes_running`)).toBe(0)
})
