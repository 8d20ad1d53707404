import type { ServiceName } from '@kafka-ref/system'
import {
  createWorld,
  fetchOpenApi,
  runSchemathesis,
  startService,
  useHarness,
  validateOpenApi,
} from '@kafka-ref/testkit'
import { describe, expect, it } from 'vitest'

/** Fixed, so CI replays the same requests; schemathesis prints it in its summary. */
const SEED = 20261129
/** Per operation and phase; with the coverage and stateful phases, several hundred requests a service. */
const MAX_EXAMPLES = 100
const MIN_TEST_CASES = 300

/** What the fuzzer must not trip over: every request comes from 127.0.0.1. */
const ENV: Record<ServiceName, Record<string, string>> = {
  'user-service': { REGISTER_RATE_LIMIT_MAX: '1000000' },
  'profile-service': { PROFILE_RATE_LIMIT_MAX: '1000000' },
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

describe.each<ServiceName>(['user-service', 'profile-service'])(
  '%s fuzzed from its own OpenAPI document (schemathesis)',
  (service) => {
    const harness = useHarness()

    it('answers every generated request, valid or not, with a status, content type, headers and body its document declares, and no 500', {
      timeout: 180_000,
    }, async () => {
      const world = await createWorld()
      const instance = await startService(harness, world, service, { env: ENV[service] })
      const document = await fetchOpenApi(instance.url)
      const validation = await validateOpenApi(document)
      expect(validation.valid, validation.message).toBe(true)
      const operations = Object.values(document.paths).flatMap((item) =>
        Object.keys(item).filter((key) => METHODS.has(key)),
      )

      const result = await runSchemathesis({
        url: instance.url,
        seed: SEED,
        maxExamples: MAX_EXAMPLES,
        timeoutMs: 120_000,
      })

      console.info(
        `${service}: ${result.testCases} generated requests, ${result.operations} operations, seed ${SEED}`,
      )
      // On failure the message is schemathesis' report: operation, check, response and a curl line.
      expect(result.exitCode, result.output).toBe(0)
      expect(result.operations, result.output).toBe(operations.length)
      expect(result.testCases, result.output).toBeGreaterThanOrEqual(MIN_TEST_CASES)
    })
  },
)
