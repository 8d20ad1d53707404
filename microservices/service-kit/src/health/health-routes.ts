import { z } from 'zod'
import type { ZodFastify } from '../app/create-base-app.ts'
import { jsonResponse } from '../openapi/documented-responses.ts'
import { UNDER_PRESSURE_EXEMPT } from '../pressure/pressure-plugin.ts'

export type HealthCheckResult = { ok: boolean } & Record<string, unknown>
export type HealthCheck = () => Promise<HealthCheckResult>

const LiveResponse = z.object({ status: z.literal('ok') })

const HealthResponse = z.object({
  status: z.enum(['ok', 'unavailable', 'draining']),
  checks: z.record(z.string(), z.looseObject({ ok: z.boolean() })),
})

async function runCheck(check: HealthCheck): Promise<HealthCheckResult> {
  try {
    return await check()
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  }
}

/**
 * Liveness says the process can serve at all (restart it if not); readiness says its
 * dependencies are usable and it is not stopping (route traffic to it only if so).
 */
export function registerHealth(app: ZodFastify, options: { checks: Record<string, HealthCheck> }) {
  // Probes hit these every few seconds: log them only when something is wrong.
  const logLevel = 'warn'
  // An overloaded process is alive: restarting it would only lose its work.
  app.get(
    '/health/live',
    {
      logLevel,
      config: UNDER_PRESSURE_EXEMPT,
      schema: { tags: ['health'], response: { 200: jsonResponse(LiveResponse, 'The process serves') } },
    },
    async () => ({ status: 'ok' as const }),
  )

  // Under pressure readiness answers for itself (a failing `pressure` check), with its details.
  const checks: Record<string, HealthCheck> = { ...options.checks }
  if (app.hasDecorator('isUnderPressure')) {
    checks.pressure = async () => ({ ok: !app.isUnderPressure(), ...app.memoryUsage() })
  }
  app.get(
    '/health/ready',
    {
      logLevel,
      config: UNDER_PRESSURE_EXEMPT,
      schema: {
        tags: ['health'],
        response: {
          200: jsonResponse(HealthResponse, 'Every check is ok'),
          503: jsonResponse(
            HealthResponse,
            'A check failed (`unavailable`: `checks` says which), or the instance is stopping (`draining`: it still answers what it is sent, and closes soon)',
          ),
        },
      },
    },
    async (_request, reply) => {
      // No check run: the answer is the same whatever they say, and it must come at once.
      if (app.drain.draining) return reply.code(503).send({ status: 'draining' as const, checks: {} })
      const names = Object.keys(checks)
      const results = await Promise.all(names.map((name) => runCheck(checks[name]!)))
      const ok = results.every((result) => result.ok)
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        checks: Object.fromEntries(names.map((name, i) => [name, results[i]!])),
      })
    },
  )
}
