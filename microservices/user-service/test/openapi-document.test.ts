import { createBaseApp } from '@kafka-ref/service-kit'
import { PROBLEM_CONTENT_TYPE } from '@kafka-ref/shared-contracts'
import { type OpenApiDocument, validateOpenApi } from '@kafka-ref/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { healthRoutes } from '../src/health/health-checks.ts'
import { userRoutes } from '../src/users/user-routes.ts'

let close: (() => Promise<void>) | undefined
afterEach(() => close?.())

/** The document of the service's routes, built without its database and Kafka (buildApp needs both). */
async function userServiceDocument() {
  const app = await createBaseApp({
    name: 'user-service',
    version: '0.0.0',
    description: 'test',
    logger: { level: 'silent' },
    corsOrigins: [],
  })
  close = () => app.close()
  userRoutes(app, { rateLimit: { max: 10, windowMs: 60_000 } })
  healthRoutes(app, { relayEnabled: false, intervalMs: 60_000 })
  await app.ready()
  return app.swagger() as unknown as OpenApiDocument & {
    paths: Record<string, Record<string, { responses: Record<string, { content: object; headers: object }> }>>
  }
}

describe('the OpenAPI document of user-service', () => {
  // A full validation by the parser: 1.4-2 s seen in CI, several under load, so vitest's 5 s default
  // would race the machine.
  it('is valid OpenAPI 3.1 (@readme/openapi-parser)', { timeout: 60_000 }, async () => {
    const document = await userServiceDocument()
    expect(document.openapi).toBe('3.1.0')
    const validation = await validateOpenApi(document)
    expect(validation.valid, validation.message).toBe(true)
  })

  it('declares each status its routes answer, problems as application/problem+json', async () => {
    const { paths } = await userServiceDocument()
    const register = paths['/user/register']!.post!.responses
    const user = paths['/user/{id}']!.get!.responses
    expect(Object.keys(register).sort()).toEqual(['201', '400', '409', '413', '415', '429', '500', '503'])
    expect(Object.keys(user).sort()).toEqual(['200', '400', '404', '500'])
    for (const [status, response] of [...Object.entries(register), ...Object.entries(user)]) {
      expect(Object.keys(response.content), status).toEqual([
        status < '400' ? 'application/json' : PROBLEM_CONTENT_TYPE,
      ])
    }
    expect(register['201']!.headers).toHaveProperty('location')
    expect(register['429']!.headers).toHaveProperty('retry-after')
    expect(register['503']!.headers).toHaveProperty('retry-after')
  })
})
