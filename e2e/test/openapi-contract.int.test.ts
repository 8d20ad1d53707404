import { randomUUID } from 'node:crypto'
import {
  createWorld,
  fetchOpenApi,
  OpenApiContract,
  serve,
  startService,
  startWorld,
  useHarness,
  userRequest,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

const PAGE = 'https://app.example.test'
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

// The answers a fuzzer does not reach on its own (a created profile, a body over the limit, the
// rate limit, a full wait queue, CORS preflight), each held to the service's own document.
describe('the HTTP API answers as its OpenAPI document says', () => {
  const harness = useHarness()

  it('user-service: 201 with Location, the user at it, 409, 413, 415, malformed JSON and 404', async () => {
    const world = await createWorld()
    const service = await startService(harness, world, 'user-service', { env: { BODY_LIMIT_BYTES: '1024' } })
    const contract = new OpenApiContract(await fetchOpenApi(service.url))
    const register = (init: RequestInit) => serve(`${service.url}/user/register`, init)
    const request = userRequest(`c${Date.now().toString(36)}`, 0)

    const created = await register(json(request))
    expect(created.status).toBe(201)
    contract.assertDocumented('post', '/user/register', created)
    const location = created.headers.get('location')!
    const user = await serve(`${service.url}${location}`)
    expect(user.status).toBe(200)
    contract.assertDocumented('get', '/user/{id}', user)

    const answers = {
      409: await register(json(request)),
      413: await register(json({ ...request, displayName: 'x'.repeat(2048) })),
      415: await register({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }),
      400: await register({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email":',
      }),
    }
    for (const [status, answer] of Object.entries(answers)) {
      expect(answer.status).toBe(Number(status))
      contract.assertDocumented('post', '/user/register', answer)
    }
    const missing = await serve(`${service.url}/user/${randomUUID()}`)
    expect(missing.status).toBe(404)
    contract.assertDocumented('get', '/user/{id}', missing)
  })

  it('profile-service: 200 for a created profile (waited for), 404 for none, 400 for a bad waitMs', async () => {
    const { userService, profileService } = await startWorld(harness)
    const contract = new OpenApiContract(await fetchOpenApi(profileService.url))
    const registered = await serve(`${userService.url}/user/register`, json(userRequest(`p${Date.now()}`, 0)))
    const { id } = JSON.parse(registered.text) as { id: string }

    const found = await serve(`${profileService.url}/profile/${id}?waitMs=10000`)
    expect(found.status).toBe(200)
    contract.assertDocumented('get', '/profile/{id}', found)
    const missing = await serve(`${profileService.url}/profile/${randomUUID()}`)
    expect(missing.status).toBe(404)
    contract.assertDocumented('get', '/profile/{id}', missing)
    const invalid = await serve(`${profileService.url}/profile/${id}?waitMs=-1`)
    expect(invalid.status).toBe(400)
    contract.assertDocumented('get', '/profile/{id}', invalid)
  })

  it('the rate limit answers 429 with Retry-After, and a full wait queue 503 with Retry-After, as documented', async () => {
    const world = await createWorld()
    const [userService, profileService] = await Promise.all([
      startService(harness, world, 'user-service', { env: { REGISTER_RATE_LIMIT_MAX: '1' } }),
      startService(harness, world, 'profile-service', {
        env: { PROFILE_RATE_LIMIT_MAX: '2', PROFILE_MAX_WAITERS: '0' },
      }),
    ])
    const users = new OpenApiContract(await fetchOpenApi(userService.url))
    const profiles = new OpenApiContract(await fetchOpenApi(profileService.url))

    const tag = `r${Date.now().toString(36)}`
    const registrations = [
      await serve(`${userService.url}/user/register`, json(userRequest(tag, 0))),
      await serve(`${userService.url}/user/register`, json(userRequest(tag, 1))),
    ]
    expect(registrations.map((answer) => answer.status)).toEqual([201, 429])
    users.assertDocumented('post', '/user/register', registrations[1]!)
    expect(Number(registrations[1]!.headers.get('retry-after'))).toBeGreaterThan(0)

    const reads = [
      // No one may wait on this instance: a request with waitMs is turned away at once.
      await serve(`${profileService.url}/profile/${randomUUID()}?waitMs=1000`),
      await serve(`${profileService.url}/profile/${randomUUID()}`),
      await serve(`${profileService.url}/profile/${randomUUID()}`),
    ]
    expect(reads.map((answer) => answer.status)).toEqual([503, 404, 429])
    for (const answer of reads) profiles.assertDocumented('get', '/profile/{id}', answer)
    expect(JSON.parse(reads[0]!.text).code).toBe('PROFILE_WAIT_CAPACITY_EXCEEDED')
  })

  it('keeps a valid request id, replaces an unsafe one, and answers a CORS preflight for a listed origin only', async () => {
    const world = await createWorld()
    const service = await startService(harness, world, 'user-service', { env: { CORS_ORIGINS: PAGE } })
    const contract = new OpenApiContract(await fetchOpenApi(service.url))

    const kept = await serve(`${service.url}/user/${randomUUID()}`, {
      headers: { 'x-request-id': 'trace-42.a:b' },
    })
    expect(kept.headers.get('x-request-id')).toBe('trace-42.a:b')
    contract.assertDocumented('get', '/user/{id}', kept)
    const replaced = await serve(`${service.url}/user/${randomUUID()}`, {
      headers: { 'x-request-id': 'no spaces/ok' },
    })
    expect(replaced.headers.get('x-request-id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    )
    contract.assertDocumented('get', '/user/{id}', replaced)

    const preflight = (origin: string) =>
      serve(`${service.url}/user/register`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      })
    const allowed = await preflight(PAGE)
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST')
    expect(allowed.headers.get('access-control-allow-headers')).toContain('content-type')
    expect(allowed.headers.get('x-request-id')).toBeTruthy()
    const refused = await preflight('https://elsewhere.example.test')
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()

    // The page reads Location, Retry-After and the request id of the real answer.
    const answer = await serve(`${service.url}/user/${randomUUID()}`, { headers: { origin: PAGE } })
    expect(answer.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(
      answer.headers
        .get('access-control-expose-headers')
        ?.toLowerCase()
        .split(/\s*,\s*/),
    ).toEqual(expect.arrayContaining(['location', 'retry-after', 'x-request-id']))
  })
})
