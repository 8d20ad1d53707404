import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether the instance is stopping (`stopServer`): readiness and keep-alive follow it. */
    drain: Drain
  }
}

/** The instance's stop, as readiness and the connections see it; there is no way back. */
export class Drain {
  #draining = false

  get draining(): boolean {
    return this.#draining
  }

  /** From now on `/health/ready` answers 503 `draining` and every answer closes its connection. */
  start(): void {
    this.#draining = true
  }
}

/**
 * `app.drain`, and `Connection: close` on every answer once it started. A balancer (or any client)
 * then opens a new connection for its next request instead of reusing one that is about to close;
 * and a keep-alive connection whose request is still in flight when the listener closes does not
 * hold the close until Fastify's `keepAliveTimeout` (72 s): Node closes only the connections idle
 * when `close()` is called (fastify/fastify#7044).
 */
async function drainPlugin(app: FastifyInstance) {
  const drain = new Drain()
  app.decorate('drain', drain)
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (drain.draining) reply.header('connection', 'close')
    done(null, payload)
  })
}

export default fp(drainPlugin, { name: 'drain' })
