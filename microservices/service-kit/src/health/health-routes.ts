import { z } from 'zod'
import type { ZodFastify } from '../app/create-base-app.ts'
import { jsonResponse } from '../openapi/documented-responses.ts'
import { UNDER_PRESSURE_EXEMPT } from '../pressure/pressure-plugin.ts'
import { periodicSnapshot } from '../snapshot/periodic-snapshot.ts'

/**
 * A check's verdict and details. Details are for anyone who can reach the port: counts, flags and
 * stable lowercase codes (`state: 'connecting'`), never a host name, a topic name or an error's
 * text; those go to the log.
 */
export type HealthCheckResult = { ok: boolean } & Record<string, unknown>
export type HealthCheck = () => Promise<HealthCheckResult>

export interface HealthOptions {
  checks: Record<string, HealthCheck>
  /** How often the checks run (`STATUS_REFRESH_MS`); `/health/ready` serves their last results. */
  intervalMs: number
}

const LiveResponse = z.object({ status: z.literal('ok') })

const HealthResponse = z.object({
  status: z.enum(['ok', 'unavailable', 'draining']),
  checks: z.record(z.string(), z.looseObject({ ok: z.boolean() })),
})
type Readiness = z.infer<typeof HealthResponse>

/** What a check that threw reports; why is logged. */
export const CHECK_FAILED = 'check-failed'

/**
 * Liveness says the process can serve at all (restart it if not); readiness says its
 * dependencies are usable and it is not stopping (route traffic to it only if so). The checks run
 * on a timer, not per probe: `/health/ready` answers the last results at once, and however many
 * clients poll it, the checks' queries run once per interval.
 */
export function registerHealth(app: ZodFastify, options: HealthOptions) {
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
  // Logged once when a check starts throwing, not at every refresh while it goes on.
  const throwing = new Set<string>()
  const runCheck = async (name: string): Promise<HealthCheckResult> => {
    try {
      const result = await checks[name]!()
      throwing.delete(name)
      return result
    } catch (err) {
      if (!throwing.has(name)) app.log.warn({ err, check: name }, 'readiness check failed')
      throwing.add(name)
      return { ok: false, error: CHECK_FAILED }
    }
  }
  const snapshot = periodicSnapshot<Readiness>(app, {
    name: 'readiness',
    intervalMs: options.intervalMs,
    read: async () => {
      const names = Object.keys(checks)
      const results = await Promise.all(names.map(runCheck))
      return {
        status: results.every((result) => result.ok) ? 'ok' : 'unavailable',
        checks: Object.fromEntries(names.map((name, i) => [name, results[i]!])),
      }
    },
  })
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
      // Whatever the checks said: the answer must say at once that the instance is stopping.
      if (app.drain.draining) return reply.code(503).send({ status: 'draining' as const, checks: {} })
      const readiness = snapshot.value ?? NOT_YET_CHECKED
      return reply.code(readiness.status === 'ok' ? 200 : 503).send(readiness)
    },
  )
}

const NOT_YET_CHECKED: Readiness = { status: 'unavailable', checks: {} }
