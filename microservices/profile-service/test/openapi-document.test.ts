import { createBaseApp } from '@kafka-ref/service-kit'
import { PROBLEM_CONTENT_TYPE } from '@kafka-ref/shared-contracts'
import { type OpenApiDocument, validateOpenApi } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { healthRoutes } from '../src/health/health-checks.ts'
import { profileRoutes } from '../src/profiles/profile-routes.ts'

const PROFILE_OPTIONS = {
  maxWaiters: 10,
  rateLimit: { max: 10, windowMs: 60_000 },
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 5_000,
}

let close: (() => Promise<void>) | undefined
afterEach(() => close?.())

/** The document of the service's routes, built without its database and Kafka (buildApp needs both). */
async function profileServiceDocument() {
  const app = await createBaseApp({
    name: 'profile-service',
    version: '0.0.0',
    description: 'test',
    logger: { level: 'silent' },
    corsOrigins: [],
  })
  close = () => app.close()
  profileRoutes(app, PROFILE_OPTIONS)
  healthRoutes(app, { consumerEnabled: false, intervalMs: 60_000 })
  await app.ready()
  return app.swagger() as unknown as OpenApiDocument & {
    paths: Record<string, Record<string, { responses: Record<string, { content: object; headers: object }> }>>
  }
}

describe('the OpenAPI document of profile-service', () => {
  // A full validation by the parser: 1.4-2 s seen in CI, several under load, so vitest's 5 s default
  // would race the machine.
  it('is valid OpenAPI 3.1 (@readme/openapi-parser)', { timeout: 60_000 }, async () => {
    const document = await profileServiceDocument()
    expect(document.openapi).toBe('3.1.0')
    const validation = await validateOpenApi(document)
    expect(validation.valid, validation.message).toBe(true)
  })

  it('declares each status its route answers, problems as application/problem+json', async () => {
    const { paths } = await profileServiceDocument()
    const profile = paths['/profile/{id}']!.get!.responses
    expect(Object.keys(profile).sort()).toEqual(['200', '400', '404', '429', '500', '503'])
    for (const [status, response] of Object.entries(profile)) {
      expect(Object.keys(response.content), status).toEqual([
        status < '400' ? 'application/json' : PROBLEM_CONTENT_TYPE,
      ])
    }
    expect(profile['429']!.headers).toHaveProperty('retry-after')
    expect(profile['503']!.headers).toHaveProperty('retry-after')
  })
})
