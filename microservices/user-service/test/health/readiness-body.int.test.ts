import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalKafka, type LocalPostgres, startKafka, startPostgres } from '@kafka-ref/local-servers'
import type { ZodFastify } from '@kafka-ref/service-kit'
import { LogCapture, readinessInternals, waitFor } from '@kafka-ref/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, register, registration, startApp, type TestContext } from '../helpers.ts'

// A broker and a PostgreSQL server of this file's own: both are stopped, which must never happen to
// the shared ones.
let kafka: LocalKafka
let postgres: LocalPostgres
let dataDir: string
let context: TestContext
let app: ZodFastify | undefined

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'user-readiness-pg-'))
  ;[kafka, postgres] = await Promise.all([startKafka(), startPostgres({ dataDir, persistent: true })])
  context = await createTestContext({ topics: true, brokers: kafka.bootstrapServers })
})
afterAll(async () => {
  await app?.close()
  await Promise.allSettled([kafka?.stop(), postgres?.stop()])
  await rm(dataDir, { recursive: true, force: true })
})

describe('the readiness body during an outage of Kafka, then of the database too', () => {
  it('holds flags, counts and codes only: no host, topic, database name or error text', async () => {
    // Host names, not addresses, so that an error quoting them would show.
    const databaseName = 'readiness_users'
    const databaseUrl = (await postgres.createDatabase(databaseName)).replace('127.0.0.1', 'localhost')
    const brokers = kafka.bootstrapServers.replace('127.0.0.1', 'localhost')
    const logs = new LogCapture()
    app = await startApp(
      { ...context.env, DATABASE_URL: databaseUrl, KAFKA_BROKERS: brokers, OUTBOX_ENABLED: 'true' },
      logs,
    )
    const target = app
    const readiness = async () => {
      const answer = await target.inject({ url: '/health/ready' })
      return { status: answer.statusCode, body: answer.json(), text: answer.body }
    }
    expect((await register(target, registration())).statusCode).toBe(201)
    await waitFor(async () => (await readiness()).body.checks.outbox.relay.published === 1, {
      timeoutMs: 20_000,
      description: 'the first event published',
    })

    await kafka.stop()
    expect((await register(target, registration())).statusCode).toBe(201)
    const brokerDown = await waitFor(
      async () => {
        const now = await readiness()
        return now.body.checks.outbox.relay.sendFailures > 0 && now
      },
      { timeoutMs: 30_000, description: 'a failed send reported' },
    )
    expect(brokerDown.status).toBe(200)

    await postgres.stop()
    const bothDown = await waitFor(
      async () => {
        const now = await readiness()
        return now.status === 503 && now.body.checks.database.ok === false && now
      },
      { timeoutMs: 30_000, description: 'the database reported down' },
    )
    expect(bothDown.body.checks.database).toEqual({ ok: false })

    for (const { body, text } of [brokerDown, bothDown]) {
      expect(readinessInternals(body)).toEqual([])
      for (const internal of ['localhost', '127.0.0.1', hostname(), context.topic, databaseName])
        expect(text).not.toContain(internal)
    }
    // What readiness leaves out is in the log, for the operator: once the snapshot's own read of the
    // backlog has failed, which takes up to the pool's connection timeout after the server stopped
    // (the database check may report it down before that).
    await waitFor(() => logs.text().includes('status read failed'), {
      timeoutMs: 30_000,
      description: "the snapshot's failed read logged",
    })
  })
})
