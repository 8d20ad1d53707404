import { getHeapStatistics } from 'node:v8'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { httpError } from '../errors/http-error.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/under-pressure's per-route handler; returning nothing lets the request through. */
    pressureHandler?: (request: FastifyRequest, reply: FastifyReply, type: string, value?: number) => unknown
  }
}

export interface PressureOptions {
  /** Mean event-loop delay above which requests are refused; 0: not checked. */
  maxEventLoopDelayMs: number
  /** Share of V8's heap limit in use above which requests are refused; 0: not checked. */
  maxHeapUsedRatio: number
  retryAfterSeconds: number
}

/** Coded, so the problem handler answers it as the deliberate 503 it is (not as a 500). */
export const ServiceOverloaded = httpError(
  'SERVICE_OVERLOADED',
  503,
  'the service is overloaded; retry after the time in Retry-After',
)

/**
 * A route config that lets a request through under pressure: liveness (an overloaded process is
 * not a dead one; restarting it would lose its work), readiness (which reports the pressure as a
 * failing check of its own) and the metrics scrape (an operator needs it most then).
 */
export const UNDER_PRESSURE_EXEMPT = { pressureHandler: () => undefined } as const

/**
 * @fastify/under-pressure: once a second it samples event-loop delay and heap; past a threshold
 * every request gets `503 SERVICE_OVERLOADED` with `Retry-After` at once, instead of queueing
 * behind work the process cannot keep up with. Readiness fails too (its `pressure` check), so a
 * load balancer sends new traffic elsewhere until the instance recovers.
 */
async function pressurePlugin(app: FastifyInstance, options: PressureOptions) {
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: Math.floor(options.maxHeapUsedRatio * getHeapStatistics().heap_size_limit),
    retryAfter: options.retryAfterSeconds,
    customError: ServiceOverloaded,
  })
}

export default fp(pressurePlugin, { name: 'pressure' })
