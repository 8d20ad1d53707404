import { describe, expect, it } from 'vitest'
import type { ServiceName } from '../../src/system/service-process.ts'
import { createWorld, startService, useHarness } from '../../src/testing/index.ts'
import { runSchemathesis } from '../../src/testing/schemathesis.ts'

/** Fixed, so CI replays the same requests; schemathesis prints it in its summary. */
const SEED = 20261129
/** Per operation and phase; with the coverage and stateful phases, several hundred requests a service. */
const MAX_EXAMPLES = 60
/** Each service's run stops generating after this long (2 cores, shared with the broker and PostgreSQL). */
const MAX_TIME_SECONDS = 25
const MIN_TEST_CASES = 200

/** What the fuzzer must not trip over: every request comes from 127.0.0.1. */
const ENV: Record<ServiceName, Record<string, string>> = {
  'user-service': { REGISTER_RATE_LIMIT_MAX: '1000000' },
  'profile-service': { PROFILE_RATE_LIMIT_MAX: '1000000' },
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

async function documentedOperations(url: string): Promise<number> {
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>
  }
  return Object.values(document.paths).flatMap((item) => Object.keys(item).filter((key) => METHODS.has(key)))
    .length
}

describe.each<ServiceName>(['user-service', 'profile-service'])(
  '%s fuzzed from its own OpenAPI document (schemathesis)',
  (service) => {
    const harness = useHarness()

    it('answers every generated request, valid or not, with a status, content type, headers and body its document declares, and no 500', {
      timeout: 180_000,
    }, async () => {
      const world = await createWorld()
      const instance = await startService(harness, world, service, { env: ENV[service] })

      const result = await runSchemathesis({
        url: instance.url,
        seed: SEED,
        maxExamples: MAX_EXAMPLES,
        maxTimeSeconds: MAX_TIME_SECONDS,
      })

      // On failure the message is schemathesis' report: operation, check, response and a curl line.
      expect(result.exitCode, result.output).toBe(0)
      expect(result.operations, result.output).toBe(await documentedOperations(instance.url))
      expect(result.testCases, result.output).toBeGreaterThanOrEqual(MIN_TEST_CASES)
    })
  },
)
