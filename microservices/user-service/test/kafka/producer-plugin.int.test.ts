import type { ZodFastify } from '@kafka-ref/service-kit'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { clientOf } from '../../src/kafka/producer-plugin.ts'
import { createTestContext, outboxMessage, startApp, type TestContext } from '../helpers.ts'

let context: TestContext
let app: ZodFastify

beforeAll(async () => {
  context = await createTestContext({ topics: true })
  app = await startApp(context.env)
})
afterAll(async () => {
  await app?.close()
})

it('sends other messages after a failed send only under a new producer id, and a resend under the same one', async () => {
  const client = clientOf(app)
  const failed = [outboxMessage(`${context.topic}.missing`)]
  await expect(app.eventProducer.publish(failed)).rejects.toThrow(/Unknown topic/)
  const producerId = client.producerId
  expect(producerId).toBeDefined()

  // The same messages again: same producer id, so the broker could drop a copy it already has.
  await expect(app.eventProducer.publish(failed)).rejects.toThrow(/Unknown topic/)
  expect(client.producerId).toBe(producerId)

  // Anything else: its sequence numbers must not be taken for the failed send's.
  await app.eventProducer.publish([outboxMessage(context.topic)])
  expect(client.producerId).not.toBe(producerId)
  const afterReset = client.producerId

  // After a success, nothing is reset.
  await app.eventProducer.publish([outboxMessage(context.topic)])
  expect(client.producerId).toBe(afterReset)
})
