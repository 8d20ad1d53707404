import type { ZodFastify } from '@kafka-ref/service-kit'
import { decode, EventHeaders } from '@kafka-ref/shared-contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, register, registration, startApp } from '../helpers.ts'

/** The outbox row of a registration: what the relay will publish. */
async function writtenEvent(app: ZodFastify, userId: string) {
  const row = await app.db
    .selectFrom('outbox')
    .select(['headers', 'value'])
    .where('key', '=', userId)
    .executeTakeFirstOrThrow()
  const decoded = decode({ value: row.value })
  if (!decoded.ok) throw decoded.error
  return { headers: row.headers, event: decoded.event }
}

async function storedLocale(app: ZodFastify, userId: string) {
  const row = await app.db
    .selectFrom('users')
    .select('locale')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow()
  return row.locale
}

describe('USER_REGISTER_DATA_VERSION', () => {
  let v1: ZodFastify
  let v2: ZodFastify
  beforeAll(async () => {
    // Two instances of one service on one database, as during the switch: one not yet switched.
    const { env } = await createTestContext()
    v1 = await startApp(env)
    v2 = await startApp({ ...env, USER_REGISTER_DATA_VERSION: '2' })
  })
  afterAll(async () => {
    await Promise.all([v1?.close(), v2?.close()])
  })

  it('writes v1 by default: the locale is kept with the user, not in the event (v1 has no field for it)', async () => {
    const response = await register(v1, registration({ locale: 'en-GB' }))
    expect(response.statusCode).toBe(201)
    const { id } = response.json()
    const { headers, event } = await writtenEvent(v1, id)
    expect(event.dataversion).toBe(1)
    expect(headers[EventHeaders.dataVersion]).toBe('1')
    expect(event.data).not.toHaveProperty('locale')
    expect(await storedLocale(v1, id)).toBe('en-GB')
  })

  it('writes v2 when set to 2, with the locale given, or und when none was', async () => {
    const given = (await register(v2, registration({ locale: 'pt-BR' }))).json()
    const none = (await register(v2, registration())).json()
    const withLocale = await writtenEvent(v2, given.id)
    expect(withLocale.event).toMatchObject({ dataversion: 2, data: { userId: given.id, locale: 'pt-BR' } })
    expect(withLocale.headers[EventHeaders.dataVersion]).toBe('2')
    expect((await writtenEvent(v2, none.id)).event).toMatchObject({ dataversion: 2, data: { locale: 'und' } })
    expect(await storedLocale(v2, none.id)).toBe('und')
  })

  it('400: a locale that is not a BCP 47 tag', async () => {
    const response = await register(v2, registration({ locale: 'en_GB' }))
    expect(response.statusCode).toBe(400)
    expect(response.json().errors).toEqual([expect.objectContaining({ in: 'body', pointer: '/locale' })])
  })
})
